package hudson.model
class Run {
    Job parent
    int number
    String url
    List actions = []
    List causes = []
    def <T> T getAction(Class<T> type) { actions.find { type.isInstance(it) } }
    def <T> T getCause(Class<T> type) { causes.find { type.isInstance(it) } }
}
