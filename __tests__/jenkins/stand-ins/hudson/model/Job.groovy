package hudson.model
import jenkins.scm.api.SCMHead
class Job {
    String fullName
    /** Set for branch jobs of a multibranch project (what SCMHead.HeadByItem.findHead answers). */
    SCMHead head
}
