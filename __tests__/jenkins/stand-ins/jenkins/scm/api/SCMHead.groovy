package jenkins.scm.api
class SCMHead {
    String name
    static class HeadByItem {
        static SCMHead findHead(item) { item?.head }
    }
}
