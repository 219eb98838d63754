package com.cloudbees.plugins.credentials

import hudson.security.ACL
import jenkins.model.Jenkins
import standin.World

/** Stand-in: the root credential store, looked up as the trusted library does (as SYSTEM, in the Jenkins context). */
class CredentialsProvider {
    static <C> List<C> lookupCredentials(Class<C> type, Object context, Object authentication, List requirements) {
        if (!context.is(Jenkins.get()) || !authentication.is(ACL.SYSTEM)) {
            throw new IllegalArgumentException('stand-in: expected the Jenkins context and ACL.SYSTEM')
        }
        return World.current.credentials.findAll { type.isInstance(it) }
    }
}
