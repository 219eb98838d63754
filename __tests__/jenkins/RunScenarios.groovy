// Runs the keyless-aws Jenkins library step (and the example Jenkinsfiles) under plain Groovy with stand-ins for the
// Jenkins API and the Pipeline steps (stand-ins/), one JVM for every scenario. Driven by jenkins-library.test.ts:
//
//   groovy -cp stand-ins RunScenarios.groovy <library step .groovy> <scenarios.json>   → JSON results on stdout
//
// A scenario gives the build as Jenkins knows it (run), the administrator's configuration (global properties,
// credentials), the environment a Jenkinsfile can change (env, withEnv) and what the Jenkinsfile does: call the step
// with `config` inside `withEnv(outerEnv)`, or run an example Jenkinsfile (`jenkinsfile`).
import com.cloudbees.plugins.credentials.CredentialsScope
import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import hudson.model.Cause
import hudson.model.Computer
import hudson.model.Job
import hudson.model.Run
import hudson.slaves.EnvironmentVariablesNodeProperty
import hudson.util.Secret
import jenkins.model.Jenkins
import jenkins.scm.api.SCMHead
import jenkins.scm.api.SCMRevisionAction
import org.codehaus.groovy.control.CompilerConfiguration
import org.codehaus.groovy.control.customizers.ImportCustomizer
import org.jenkinsci.plugins.plaincredentials.StringCredentials
import standin.PipelineScript
import standin.Steps
import standin.World

class GitRevision { String hash }
class PullRequestRevision { String hash; String pullHash }

CompilerConfiguration compiler = new CompilerConfiguration()
compiler.scriptBaseClass = PipelineScript.name
// Jenkins imports these into every Pipeline script and library.
compiler.addCompilationCustomizers(new ImportCustomizer().addImports(
    'com.cloudbees.groovy.cps.NonCPS', 'org.jenkinsci.plugins.workflow.libs.Library'))
GroovyShell shell = new GroovyShell(this.class.classLoader, new Binding(), compiler)
Class stepClass = shell.parse(new File(args[0])).getClass()

/** A fresh instance per use, with its own binding holding `steps`, as Jenkins instantiates a vars/ script. */
def newStep = {
    Script step = (Script) stepClass.newInstance()
    step.binding = new Binding([steps: new Steps()])
    return step
}
PipelineScript.libraryStep = { Object[] callArgs -> newStep().invokeMethod('call', callArgs) }
PipelineScript.libraryObject = { newStep() }

// Nested classes of stand-ins compiled from source resolve only once their outer class is loaded, hence by name.
@groovy.transform.Field Class userIdCause = Cause.classes.find { it.simpleName == 'UserIdCause' }

World worldOf(Map spec) {
    Map r = spec.run
    Job job = new Job(fullName: r.job, head: r.branch ? new SCMHead(name: r.branch) : null)
    Run run = new Run(parent: job, number: r.number as int, url: r.url)
    if (r.revision) run.actions << new SCMRevisionAction(revision: r.pullHash ?
        new PullRequestRevision(hash: r.revision, pullHash: r.pullHash) : new GitRevision(hash: r.revision))
    if (r.userId) run.causes << userIdCause.newInstance(userId: r.userId)
    Jenkins.instance = new Jenkins(rootUrl: spec.rootUrl)
    if (spec.globalProperties != null) {
        Jenkins.instance.globalNodeProperties.items << new EnvironmentVariablesNodeProperty(envVars: spec.globalProperties)
    }
    World world = new World(run: run, computer: spec.containsKey('computer') && spec.computer == null ? null :
        new Computer(name: spec.computer ?: ''))
    world.credentials = (spec.credentials ?: []).collect {
        new StringCredentials(id: it.id, scope: CredentialsScope.valueOf(it.scope), secret: new Secret(plainText: it.secret))
    }
    world.env.putAll(spec.env ?: [:])
    return world
}

List results = []
for (Map spec : new JsonSlurper().parse(new File(args[1])) as List) {
    World.current = worldOf(spec)
    Map result = [name: spec.name]
    try {
        if (spec.jenkinsfile) {
            Script jenkinsfile = shell.parse(new File(spec.jenkinsfile).text, 'WorkflowScript') // Jenkins' name for it
            jenkinsfile.run()
        } else {
            Steps steps = new Steps()
            steps.withEnv(spec.outerEnv ?: []) {
                PipelineScript.libraryStep.call(spec.config ?: [:], { steps.sh('./body.sh') })
            }
        }
    } catch (Throwable failure) {
        result.error = failure instanceof hudson.AbortException ? failure.message : failure.toString()
    }
    World w = World.current
    result += [log: w.log, shells: w.shells, masks: w.masks, httpRequests: w.httpRequests,
               credentialBindings: w.credentialBindings.collect { it.credentialsId }]
    results << result
}
List reserved = newStep().metaClass.respondsTo(stepClass, 'reservedClaimNames') ? stepClass.reservedClaimNames() : null
println JsonOutput.toJson([results: results, reservedClaimNames: reserved])
