package hudson.model
class Cause {
    static class UserIdCause extends Cause { String userId }
    static class UpstreamCause extends Cause { String upstreamProject }
}
