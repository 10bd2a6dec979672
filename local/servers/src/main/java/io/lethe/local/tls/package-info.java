/**
 * A throw-away certificate authority for the listeners of Lethe's local stacks: it signs server and
 * client certificates and writes them, with the CA's own certificate as a truststore, into PKCS#12
 * files readable by their owner only, each with a random password in a file next to it.
 *
 * <p>The CA's private key never leaves memory: once the stack's certificates are issued, nothing
 * can sign another one, and a new start makes a new CA. That is what makes it throw-away; it is not
 * meant for a deployment, whose certificates come from the deployment's own CA.
 */
package io.lethe.local.tls;
