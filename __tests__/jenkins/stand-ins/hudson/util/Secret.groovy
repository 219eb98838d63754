package hudson.util
class Secret {
    String plainText
}
