package org.jenkinsci.plugins.workflow.libs
import java.lang.annotation.*
@Retention(RetentionPolicy.SOURCE)
@interface Library { String[] value() }
