package standin

import hudson.model.Computer
import hudson.model.Run

/** One scenario's Jenkins: the build, the administrator's configuration, and what the steps did. */
class World {
    static World current

    Run run
    Computer computer
    List credentials = []
    /** The environment a build sees before any withEnv (JOB_NAME, BUILD_NUMBER, … as Jenkins sets them). */
    Map<String, String> env = [:]
    List<Map<String, String>> envStack = []
    List<String> log = []
    List<Map> shells = []
    List<Map> masks = []
    List<String> httpRequests = []
    List<Map> credentialBindings = []
    int registrations = 0

    Map<String, String> effectiveEnv() {
        Map<String, String> merged = new LinkedHashMap(env)
        envStack.each { merged.putAll(it) }
        return merged
    }
}
