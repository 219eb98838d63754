package standin

import hudson.model.Cause

/** `currentBuild` (Jenkins' RunWrapper) over the stand-in Run. */
class RunWrapper {
    String getFullProjectName() { World.current.run.parent.fullName }
    int getNumber() { World.current.run.number }
    def getRawBuild() { World.current.run }
    List getBuildCauses(String className) {
        World.current.run.causes.findAll { it.class.name == className }
            .collect { [userId: it.userId] }
    }
}
