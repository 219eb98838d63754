package jenkins.scm.api
class SCMRevisionAction {
    def revision
}
