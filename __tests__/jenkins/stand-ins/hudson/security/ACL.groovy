package hudson.security
class ACL {
    static final Object SYSTEM = new Object()
}
