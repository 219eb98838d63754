package jenkins.model
import hudson.util.DescribableList
class Jenkins {
    static Jenkins instance
    static Jenkins get() { instance }
    String rootUrl
    DescribableList globalNodeProperties = new DescribableList()
}
