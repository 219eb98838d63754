package org.jenkinsci.plugins.plaincredentials

import com.cloudbees.plugins.credentials.CredentialsScope
import hudson.util.Secret

/** Stand-in for the Plain Credentials "Secret text" credential (an interface in Jenkins). */
class StringCredentials {
    String id
    CredentialsScope scope
    Secret secret
}
