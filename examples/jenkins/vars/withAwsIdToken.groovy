// withAwsIdToken: a step of the keyless-aws TRUSTED global shared library. The build inside it can ask the keyless-aws
// token service for short-lived OIDC ID tokens (and so for AWS credentials, with no stored keys).
//
//   withAwsIdToken(lifetime: 3600) {
//     sh 'node dist/index.js exec --token-source jenkins --role-to-assume "$ROLE_ARN" --aws-region eu-west-1 -- ./deploy.sh'
//   }
//
// Trust model (README, "Jenkins token service", "Trust model"): a Jenkinsfile decides WHAT runs inside the step, never
// WHO the build is nor WHERE the admin secret goes.
//   - The identity claims (job, build_number, build_url, branch, commit, node, triggered_by; sub derives from the
//     first two) are read from Jenkins itself: the Run this library executes in, its multibranch SCM head and
//     revision, the node Jenkins assigned. Never from step parameters, never from `env` (withEnv can set any
//     variable, JOB_NAME included).
//   - The service URL and the admin credential are the administrator's: the global property
//     KEYLESS_ISSUER_SERVICE_URL (Manage Jenkins > System > Global properties > Environment variables) and a Secret
//     text credential of SYSTEM scope (id keyless-issuer-admin, or the global property KEYLESS_ISSUER_CREDENTIALS_ID),
//     both read here through the Jenkins API. System-scope credentials cannot be bound by builds (withCredentials),
//     and only trusted library code may call the API, so a Jenkinsfile can neither read the secret nor redirect it.
//   - The secret lives only inside one @NonCPS method (never in a pipeline variable, which Jenkins would write to the
//     build's program.dat, never in a step argument, which Jenkins records, never in the log or on the agent).
//   - A Jenkinsfile can call every method of this script (`withAwsIdToken.anyMethod(...)`, `private` or not) and pass
//     objects of classes it defines: no method returns the secret or sends a body it did not build from Jenkins'
//     records, and claim values pass only as the JDK's own types (a Number of the Jenkinsfile's could print JSON).
//   - Steps are called through `steps.` and the build through `$build()`, so a `vars/` script of another library
//     named like a step (getContext, error, …) or like `currentBuild` cannot stand in for them.
//
// Requires the plugins: Pipeline: Groovy Libraries, Credentials, Plain Credentials, Mask Passwords, and for the
// branch/commit claims of multibranch jobs the SCM API plugin (installed with any multibranch source).
//
// Parameters (all optional):
//   lifetime   request-token lifetime in seconds; set it to the build's timeout (default: the service's
//              --request-token-ttl, 6 h). ID tokens never outlive it.
//   audiences  list of audiences this build may request (default: every audience the service allows)
//   claims     map of EXTRA claims (string, number or boolean values), e.g. [environment: 'prod']. They only add
//              names: an identity name, `sub`, or a JWT/OIDC name is an error. The service accepts only the names
//              its operator allows with --allow-claim. The Jenkinsfile chooses these values: never let a trust
//              policy rely on them.
// `serviceUrl`, `credentialsId` and `commit` were parameters once; they are refused now (see above).

import com.cloudbees.plugins.credentials.CredentialsProvider
import com.cloudbees.plugins.credentials.CredentialsScope
import groovy.json.JsonOutput
import groovy.json.JsonSlurperClassic
import hudson.AbortException
import hudson.ProxyConfiguration
import hudson.model.Cause
import hudson.model.Computer
import hudson.model.Run
import hudson.security.ACL
import hudson.slaves.EnvironmentVariablesNodeProperty
import jenkins.model.Jenkins
import jenkins.scm.api.SCMHead
import jenkins.scm.api.SCMRevisionAction
import org.jenkinsci.plugins.plaincredentials.StringCredentials

def call(Map config = [:], Closure body) {
    // getContext is a step, so it runs here; the Computer is only passed on, never kept in a pipeline variable.
    Map answer = registerThisBuild(config, steps.getContext(Computer))
    String requestToken = answer.request_token
    String tokenUrl = answer.token_url
    steps.echo "withAwsIdToken: ID tokens for this build available until ${answer.expires_at}"

    // Mask Passwords hides the request token wherever the body's steps print it. withEnv records its arguments
    // with the build; the request token is only worth anything for this build's sub and until its lifetime ends,
    // which is why `lifetime` should be the build's timeout.
    steps.wrap([$class: 'MaskPasswordsBuildWrapper', varPasswordPairs: [[var: 'JENKINS_ID_TOKEN_REQUEST_TOKEN', password: requestToken]]]) {
        steps.withEnv(['JENKINS_ID_TOKEN_REQUEST_URL=' + tokenUrl, 'JENKINS_ID_TOKEN_REQUEST_TOKEN=' + requestToken]) {
            body()
        }
    }
}

@NonCPS
private static String parameterProblem(Map config) {
    Map refused = [
        serviceUrl   : 'where the token service lives is the Jenkins administrator\'s setting (global property ' +
                       'KEYLESS_ISSUER_SERVICE_URL), so that no Jenkinsfile can send the admin secret to another host',
        credentialsId: 'the admin secret is the System-scope credential the administrator configured (id ' +
                       'keyless-issuer-admin or global property KEYLESS_ISSUER_CREDENTIALS_ID); builds cannot choose it',
        commit       : 'the commit is read from the build\'s own SCM revision, not given by the Jenkinsfile',
    ]
    for (String name : config.keySet().collect { it.toString() }) {
        if (refused.containsKey(name)) {
            return "withAwsIdToken: '${name}' is not a parameter any more: ${refused[name]}. Remove it."
        }
        if (!(name in ['lifetime', 'audiences', 'claims'])) {
            return "withAwsIdToken: unknown parameter '${name}'; the parameters are lifetime, audiences and claims."
        }
    }
    return null
}

@NonCPS
private Map registrationBody(Map config, String node) {
    Map body = identityClaims($build(), node)
    Map extra = config.claims instanceof Map ? (Map) config.claims : [:]
    if (config.claims != null && !(config.claims instanceof Map)) {
        throw new AbortException('withAwsIdToken: claims must be a map of extra claims, e.g. claims: [environment: \'prod\'].')
    }
    extra.each { name, value ->
        String key = name.toString()
        // Locale.ROOT: in a Turkish locale 'SID'.toLowerCase() is 'sıd', which no reserved name matches.
        if (key.toLowerCase(Locale.ROOT) in reservedClaimNames()) {
            throw new AbortException("withAwsIdToken: claims may only add names; '${key}' is reserved (identity claims " +
                'come from Jenkins itself, sub derives from job and build_number, and JWT/OIDC names are the ' +
                'service\'s). Rename or remove it.')
        }
        body[key] = plainClaimValue(key, value)
    }
    if (config.lifetime != null) body.lifetime = lifetimeSeconds(config.lifetime)
    if (config.audiences != null) body.audiences = audienceList(config.audiences)
    return body
}

// JsonOutput writes a value by its class, and an unknown Number by its toString(): a Number class of the Jenkinsfile's
// own could print `1,"job":"prod/deploy"` into the registration. So only the JDK's own (final or trusted) value types
// pass, as themselves; any text (a GString "${x}" included) becomes a String, which JsonOutput escapes.
@NonCPS
private static Object plainClaimValue(String key, value) {
    if (value instanceof CharSequence) return value.toString()
    if (value instanceof Boolean) return value
    if (value != null && value.getClass() in [Integer, Long, Short, Byte, BigInteger, BigDecimal, Double, Float]) {
        return value
    }
    throw new AbortException("withAwsIdToken: claim '${key}' must be a string, number or boolean.")
}

@NonCPS
private static Long lifetimeSeconds(value) {
    boolean whole = value instanceof CharSequence || value.getClass() in [Integer, Long, Short, Byte, BigInteger]
    String text = whole ? value.toString().trim() : ''
    if (!(text ==~ /\d{1,9}/)) {
        throw new AbortException('withAwsIdToken: lifetime must be a whole number of seconds, e.g. lifetime: 3600.')
    }
    return Long.valueOf(text)
}

// One audience or a list of them; each becomes a String (JsonOutput escapes it; the service checks it).
@NonCPS
private static List<String> audienceList(value) {
    if (value instanceof CharSequence) return [value.toString()]
    if (!(value instanceof Collection)) {
        throw new AbortException('withAwsIdToken: audiences must be a list, e.g. audiences: [\'sts.amazonaws.com\'].')
    }
    List<String> audiences = []
    for (Object audience : (Collection) value) audiences.add(String.valueOf(audience))
    return audiences
}

// Names a Jenkinsfile's `claims:` may not use: the identity claims, sub, the request controls and the names JWT/OIDC
// or the token service give a meaning to (src/issuer/build-claims.ts RESERVED_CLAIM_NAMES; a test keeps them equal).
@NonCPS
static List<String> reservedClaimNames() {
    return ['job', 'build_number', 'build_url', 'branch', 'commit', 'node', 'triggered_by', 'sub',
            'lifetime', 'audiences',
            'iss', 'aud', 'exp', 'iat', 'nbf', 'jti', 'azp', 'nonce', 'auth_time', 'acr', 'amr', 'at_hash', 'c_hash',
            's_hash', 'sid', 'cnf', 'act', 'may_act', 'scope', 'client_id', 'typ', 'token_use']
}

// Who this build is, from Jenkins' own records. A claim Jenkins does not have is left out (the service refuses
// nulls): branch and commit exist for multibranch builds only, whose SCM head and revision Jenkins chose before the
// Jenkinsfile ran; in other jobs the Jenkinsfile decides what it checks out, so no commit is claimed.
@NonCPS
private static Map identityClaims(Run run, String node) {
    Map claims = [job: run.parent.fullName, build_number: run.number as Long]
    String root = Jenkins.get().rootUrl
    if (root) claims.build_url = root + run.url
    SCMHead head = SCMHead.HeadByItem.findHead(run.parent)
    if (head != null) claims.branch = head.name
    String commit = revisionHash(run.getAction(SCMRevisionAction)?.revision)
    if (commit) claims.commit = commit
    if (node != null) claims.node = node
    String user = run.getCause(Cause.UserIdCause)?.userId
    if (user) claims.triggered_by = user
    return claims
}

// Git revisions carry `hash`; pull-request revisions (GitHub, Bitbucket) `pullHash`, the commit that was built.
@NonCPS
private static String revisionHash(revision) {
    if (revision == null) return null
    if (revision.hasProperty('pullHash')) return revision.pullHash
    if (revision.hasProperty('hash')) return revision.hash
    return null
}

// The node Jenkins assigned to the enclosing `node`/`agent` block (null outside one). Not env.NODE_NAME, which
// withEnv can set. The built-in node's name is "".
@NonCPS
private static String nodeName(Computer computer) {
    if (computer == null) return null
    return computer.name ?: 'built-in'
}

// The one way to register, and the only code that touches the admin secret: this build's identity (read from
// Jenkins), the step's checked parameters, the administrator's service URL and credential. Jenkins lets a Jenkinsfile
// call every method of this script (`withAwsIdToken.anyMethod(...)`; Groovy ignores `private`), so no method here
// returns the secret or sends with it a body it did not build itself.
@NonCPS
private Map registerThisBuild(Map config, Computer computer) {
    String problem = parameterProblem(config)
    if (problem) throw new AbortException(problem)
    String registration = JsonOutput.toJson(registrationBody(config, nodeName(computer)))
    String endpoint = requestTokensUrl(adminSetting('KEYLESS_ISSUER_SERVICE_URL', null))
    String credentialsId = adminSetting('KEYLESS_ISSUER_CREDENTIALS_ID', 'keyless-issuer-admin')
    StringCredentials credential = CredentialsProvider.lookupCredentials(
        StringCredentials, Jenkins.get(), ACL.SYSTEM, Collections.emptyList()).find { it.id == credentialsId }
    // Surrounding whitespace is trimmed, as the token service trims its --admin-secret-file.
    String secret = credential?.secret?.plainText?.trim()
    String refusal = adminCredentialProblem(credentialsId, credential?.scope, secret)
    if (refusal) throw new AbortException(refusal)
    return postRegistration(endpoint, registration, secret)
}

// POST <service>/request-tokens with the admin secret, on the controller. Bounded: 10 s to connect, 10 s per read,
// 30 s and 64 KiB for the whole answer. Returns the service's JSON answer; throws AbortException with the reason.
@NonCPS
private static Map postRegistration(String endpoint, String registration, String secret) {
    HttpURLConnection connection = (HttpURLConnection) ProxyConfiguration.open(new URL(endpoint))
    connection.connectTimeout = 10000
    connection.readTimeout = 10000
    connection.instanceFollowRedirects = false
    connection.requestMethod = 'POST'
    connection.doOutput = true
    connection.setRequestProperty('Content-Type', 'application/json')
    connection.setRequestProperty('Accept', 'application/json')
    connection.setRequestProperty('Authorization', 'Bearer ' + secret)
    int status
    String content
    try {
        connection.outputStream.withStream { it.write(registration.getBytes('UTF-8')) }
        status = connection.responseCode
        content = readCapped(status < 400 ? connection.inputStream : connection.errorStream)
    } catch (IOException failure) {
        throw new AbortException("withAwsIdToken: cannot reach the token service at ${endpoint}: " +
            "${failure.class.simpleName} ${failure.message ?: ''}".trim())
    } finally {
        connection.disconnect()
    }
    if (status != 201) {
        // The service's errors are {"error","message"} and never contain secrets, so they are safe to show.
        throw new AbortException("withAwsIdToken: registering the build at ${endpoint} failed: HTTP ${status} " +
            describeError(content))
    }
    return new JsonSlurperClassic().parseText(content) as Map
}

// A global property (Manage Jenkins > System > Global properties > Environment variables), read through the
// Jenkins API: the value the administrator saved, which no build's withEnv or environment{} can change.
@NonCPS
private static String adminSetting(String name, String fallback) {
    def property = Jenkins.get().globalNodeProperties.get(EnvironmentVariablesNodeProperty)
    String value = property?.envVars?.get(name)?.trim()
    return value ?: fallback
}

@NonCPS
private static String requestTokensUrl(String serviceUrl) {
    if (!serviceUrl) {
        throw new AbortException('withAwsIdToken: the Jenkins administrator has not set where the token service ' +
            'lives: add the global property KEYLESS_ISSUER_SERVICE_URL (Manage Jenkins > System > Global properties ' +
            '> Environment variables), e.g. https://jenkins-oidc.example.com.')
    }
    URL url
    try {
        url = new URL(serviceUrl)
    } catch (MalformedURLException ignored) {
        throw new AbortException("withAwsIdToken: the global property KEYLESS_ISSUER_SERVICE_URL (${serviceUrl}) " +
            'is not a URL; set it like https://jenkins-oidc.example.com.')
    }
    boolean loopback = url.host in ['127.0.0.1', 'localhost', '[::1]']
    if (url.userInfo || url.query || url.ref || !(url.protocol == 'https' || (url.protocol == 'http' && loopback))) {
        throw new AbortException("withAwsIdToken: the global property KEYLESS_ISSUER_SERVICE_URL (${url.protocol}://" +
            "${url.host}) must be an https URL without credentials, query or fragment (plain http only on " +
            'loopback): the admin secret travels in it.')
    }
    return serviceUrl.replaceAll('/+$', '') + '/request-tokens'
}

// Why the admin credential cannot be used, or null: it must be a Secret text credential of SYSTEM scope, one word
// (whitespace inside is refused: a header cannot carry it, and the service would never match it).
@NonCPS
private static String adminCredentialProblem(String credentialsId, CredentialsScope scope, String secret) {
    String where = "the credential '${credentialsId}' (Manage Jenkins > Credentials > System > Global credentials)"
    if (secret == null) {
        return "withAwsIdToken: ${where} does not exist: add the token service's admin secret there as a Secret " +
            'text credential with scope System.'
    }
    if (scope != CredentialsScope.SYSTEM) {
        return "withAwsIdToken: ${where} has scope ${scope}; builds could bind it with withCredentials and send it " +
            'anywhere. Change its scope to System (and rotate the secret if it was ever bound).'
    }
    if (secret.isEmpty() || secret =~ /[\s\p{Cntrl}]/) {
        return "withAwsIdToken: ${where} is " + (secret.isEmpty() ? 'empty' :
            'not one word (whitespace or control characters inside)') + ': paste the content of the service\'s ' +
            '--admin-secret-file exactly.'
    }
    return null
}

@NonCPS
private static String readCapped(InputStream stream) {
    if (stream == null) return ''
    long deadline = System.currentTimeMillis() + 30000
    ByteArrayOutputStream out = new ByteArrayOutputStream()
    byte[] buffer = new byte[8192]
    stream.withStream {
        int n
        while ((n = it.read(buffer)) != -1) {
            out.write(buffer, 0, n)
            if (out.size() > 65536) throw new IOException('the answer is larger than 64 KiB')
            if (System.currentTimeMillis() > deadline) throw new IOException('the answer took longer than 30 s')
        }
    }
    return out.toString('UTF-8')
}

@NonCPS
private static String describeError(String text) {
    try {
        Map parsed = new JsonSlurperClassic().parseText(text ?: '{}') as Map
        return "${parsed.error ?: ''}: ${parsed.message ?: ''}"
    } catch (ignored) {
        return '(no JSON error body)'
    }
}
