package standin

/**
 * Base class of the scripts the harness runs (the library step and the example Jenkinsfiles), standing in for
 * Jenkins' CpsScript: steps resolve to the Steps stand-ins, `env` to the build's environment, `$build()` to the Run.
 * Like Jenkins, each script has its own binding, so a Jenkinsfile's variables never reach the library.
 */
abstract class PipelineScript extends Script {
    static Closure libraryStep
    /** The library's vars/ script as the global variable `withAwsIdToken` (Jenkinsfiles may call any of its methods). */
    static Closure libraryObject

    def $build() { World.current.run }

    def methodMissing(String name, Object args) {
        Object[] list = (Object[]) args
        if (name == 'withAwsIdToken') return libraryStep.call(*list)
        return Steps.newInstance().invokeMethod(name, list)
    }

    def propertyMissing(String name) {
        switch (name) {
            case 'env': return new EnvView()
            case 'params': return [:]
            case 'any': return 'any'
            case 'currentBuild': return new RunWrapper()
            case 'withAwsIdToken': return libraryObject.call()
            default: throw new MissingPropertyException(name, getClass())
        }
    }
}
