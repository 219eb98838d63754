package standin
/** `env` as a build sees it: Jenkins' variables overlaid with every enclosing withEnv. */
class EnvView {
    def propertyMissing(String name) { World.current.effectiveEnv()[name] }
    def propertyMissing(String name, value) { World.current.env[name] = value?.toString() }
    def getAt(String name) { World.current.effectiveEnv()[name] }
}
