package hudson.util
class DescribableList {
    List items = []
    def get(Class type) { items.find { type.isInstance(it) } }
}
