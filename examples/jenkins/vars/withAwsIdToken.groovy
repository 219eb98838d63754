// withAwsIdToken: a Jenkins shared-library step that lets the build inside it ask the keyless-aws token service
// for short-lived OIDC ID tokens (and so for AWS credentials, with no stored keys).
//
//   withAwsIdToken(serviceUrl: 'https://jenkins-oidc.example.com', credentialsId: 'keyless-issuer-admin') {
//     sh 'node dist/index.js exec --token-source jenkins --role-to-assume "$ROLE_ARN" --aws-region eu-west-1 -- ./deploy.sh'
//   }
//
// How it works:
//   1. On the controller (httpRequest runs there, never on the agent), it registers this build with the service:
//      POST <serviceUrl>/request-tokens, authenticated with the admin secret from a Jenkins "Secret text"
//      credential, with the build's claims (job, build_number, build_url, branch, commit, node, triggered_by).
//      The admin secret never reaches the agent, a shell, a process argument list or the log.
//   2. The service answers a request token scoped to this build (its sub is job:<JOB_NAME>:build:<BUILD_NUMBER>)
//      and to a lifetime, plus the token URL.
//   3. The body runs with JENKINS_ID_TOKEN_REQUEST_URL and JENKINS_ID_TOKEN_REQUEST_TOKEN set, the GitHub-style
//      pair the keyless-aws CLI (token source "jenkins") understands; the request token is masked in the log.
//
// Requires the plugins: Credentials Binding, HTTP Request, Mask Passwords.
//
// Parameters (all optional except where a default does not fit):
//   serviceUrl     URL at which the controller reaches the token service (default: env.KEYLESS_ISSUER_SERVICE_URL)
//   credentialsId  Secret-text credential holding the service's admin secret (default 'keyless-issuer-admin')
//   lifetime       request-token lifetime in seconds; set it to the build's timeout (default: the service's
//                  --request-token-ttl, 6 h). ID tokens never outlive it.
//   audiences      list of audiences this build may request (default: every audience the service allows)
//   commit         commit id to record (default env.GIT_COMMIT, which only freestyle/SCM steps set)
//   claims         map of extra claims (string, number or boolean values), e.g. [environment: 'prod']

import groovy.json.JsonOutput
import groovy.json.JsonSlurperClassic

def call(Map config = [:], Closure body) {
    String serviceUrl = ((config.serviceUrl ?: env.KEYLESS_ISSUER_SERVICE_URL) ?: '').toString().replaceAll('/+$', '')
    if (!serviceUrl) {
        error('withAwsIdToken: set serviceUrl (how the controller reaches the token service, e.g. ' +
              'https://jenkins-oidc.example.com) or the environment variable KEYLESS_ISSUER_SERVICE_URL.')
    }
    String credentialsId = config.credentialsId ?: 'keyless-issuer-admin'
    String registration = JsonOutput.toJson(registrationBody(config))

    def response
    withCredentials([string(credentialsId: credentialsId, variable: 'KEYLESS_ISSUER_ADMIN_SECRET')]) {
        // Plain concatenation (not a "${}" GString): the secret goes into an HTTP header on the controller, never
        // into a shell command. maskValue hides it in the log; Jenkins also masks bound credentials in the stored
        // step arguments.
        response = httpRequest(
            url: serviceUrl + '/request-tokens',
            httpMode: 'POST',
            contentType: 'APPLICATION_JSON',
            acceptType: 'APPLICATION_JSON',
            requestBody: registration,
            customHeaders: [[name: 'Authorization', value: 'Bearer ' + env.KEYLESS_ISSUER_ADMIN_SECRET, maskValue: true]],
            validResponseCodes: '100:599',
            consoleLogResponseBody: false,
            quiet: true,
            timeout: 30,
        )
    }
    if (response.status != 201) {
        // The service's errors are {"error","message"} and never contain secrets, so they are safe to show.
        error("withAwsIdToken: registering the build at ${serviceUrl} failed: HTTP ${response.status} " +
              describeError(response.content))
    }
    Map answer = parseJson(response.content)
    String requestToken = answer.request_token
    String tokenUrl = answer.token_url
    echo "withAwsIdToken: ID tokens for this build available until ${answer.expires_at}"

    // Mask Passwords hides the request token wherever the body's steps print it. withEnv records its arguments
    // with the build; the request token is only worth anything for this build's sub and until its lifetime ends,
    // which is why `lifetime` should be the build's timeout.
    wrap([$class: 'MaskPasswordsBuildWrapper', varPasswordPairs: [[var: 'JENKINS_ID_TOKEN_REQUEST_TOKEN', password: requestToken]]]) {
        withEnv(['JENKINS_ID_TOKEN_REQUEST_URL=' + tokenUrl, 'JENKINS_ID_TOKEN_REQUEST_TOKEN=' + requestToken]) {
            body()
        }
    }
}

private Map registrationBody(Map config) {
    Map body = [
        job         : env.JOB_NAME,
        build_number: env.BUILD_NUMBER ? (env.BUILD_NUMBER as Long) : null,
        build_url   : env.BUILD_URL,
        branch      : env.BRANCH_NAME,
        commit      : config.commit ?: env.GIT_COMMIT,
        node        : env.NODE_NAME,
        triggered_by: triggeringUser(),
    ]
    (config.claims ?: [:]).each { name, value -> body[name.toString()] = value }
    if (config.lifetime) body.lifetime = config.lifetime as Integer
    if (config.audiences) body.audiences = config.audiences.collect { it.toString() }
    // The service refuses null claims: leave out what this build does not have (e.g. BRANCH_NAME outside
    // multibranch pipelines).
    return body.findAll { name, value -> value != null && value.toString() != '' }
}

// The user who started the build, if a user did (timer, SCM and upstream triggers have none).
private String triggeringUser() {
    def causes = currentBuild.getBuildCauses('hudson.model.Cause$UserIdCause')
    return causes ? causes[0].userId : null
}

@NonCPS
private static Map parseJson(String text) {
    return new JsonSlurperClassic().parseText(text) as Map
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
