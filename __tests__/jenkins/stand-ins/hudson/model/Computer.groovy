package hudson.model
class Computer { String name }
