package standin

import com.cloudbees.plugins.credentials.CredentialsScope
import hudson.AbortException
import hudson.model.Computer
import org.jenkinsci.plugins.plaincredentials.StringCredentials

/**
 * Stand-ins for the Pipeline steps the library and the example Jenkinsfiles call, recording what they were given.
 * Declarative sections (pipeline, stages, stage, steps, post, …) simply run their blocks, every stage included.
 */
class Steps {
    World getWorld() { World.current }

    void error(String message) { throw new AbortException(message) }

    void echo(Object message) { world.log << String.valueOf(message) }

    void sh(Object script) {
        Map env = world.effectiveEnv()
        world.shells << [script: script instanceof Map ? script.script : script.toString(),
                         requestUrl: env.JENKINS_ID_TOKEN_REQUEST_URL, requestToken: env.JENKINS_ID_TOKEN_REQUEST_TOKEN]
    }

    def withEnv(List overrides, Closure body) {
        Map<String, String> layer = [:]
        overrides.each { String entry ->
            int eq = entry.indexOf('=')
            layer[entry.substring(0, eq)] = entry.substring(eq + 1)
        }
        world.envStack.push(layer)
        try {
            return body()
        } finally {
            world.envStack.pop()
        }
    }

    def wrap(Map wrapper, Closure body) {
        world.masks.addAll(wrapper.varPasswordPairs ?: [])
        return body()
    }

    /** As Jenkins: a build can bind Global-scope credentials only; a System-scope one is "not found". */
    def withCredentials(List bindings, Closure body) {
        Map<String, String> layer = [:]
        bindings.each { Map binding ->
            world.credentialBindings << binding
            def credential = world.credentials.find { it.id == binding.credentialsId }
            if (credential == null || credential.scope != CredentialsScope.GLOBAL) {
                throw new AbortException("Could not find credentials entry with ID '${binding.credentialsId}'")
            }
            layer[binding.variable] = credential instanceof StringCredentials ? credential.secret.plainText : '/tmp/file'
        }
        world.envStack.push(layer)
        try {
            return body()
        } finally {
            world.envStack.pop()
        }
    }

    Map string(Map args) { args + [kind: 'string'] }

    Map file(Map args) { args + [kind: 'file'] }

    def getContext(Class type) { type == Computer ? world.computer : null }

    /** The HTTP Request plugin's step, for real over loopback (the library no longer uses it; older versions did). */
    def httpRequest(Map args) {
        world.httpRequests << args.url
        HttpURLConnection connection = (HttpURLConnection) new URL(args.url).openConnection(Proxy.NO_PROXY)
        connection.requestMethod = args.httpMode ?: 'GET'
        connection.setRequestProperty('Content-Type', 'application/json')
        (args.customHeaders ?: []).each { connection.setRequestProperty(it.name, it.value) }
        if (args.requestBody != null) {
            connection.doOutput = true
            connection.outputStream.withStream { it.write(args.requestBody.getBytes('UTF-8')) }
        }
        int status = connection.responseCode
        String content = (status < 400 ? connection.inputStream : connection.errorStream)?.getText('UTF-8')
        return [status: status, content: content]
    }

    def timeout(Map args, Closure body = null) { body?.call() }

    /** Declarative `environment { NAME = 'value' }`: sets the build's environment, as Jenkins does. */
    void environment(Closure block) {
        Map values = [:]
        block.resolveStrategy = Closure.DELEGATE_FIRST
        block.delegate = values
        block.call()
        values.each { name, value -> world.env[name.toString()] = value?.toString() }
    }

    def booleanParam(Map args) { args }

    def methodMissing(String name, Object args) {
        Object[] list = (Object[]) args
        if (name in ['pipeline', 'options', 'stages', 'steps', 'post', 'always', 'parameters', 'agent', 'when',
                     'expression', 'node', 'script']) {
            Closure block = list.find { it instanceof Closure }
            return block?.call()
        }
        if (name == 'stage' && list.length == 2) return ((Closure) list[1]).call()
        throw new MissingMethodException(name, Steps, list)
    }
}
