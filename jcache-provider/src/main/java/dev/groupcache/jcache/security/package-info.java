/**
 * Mutual TLS between peers: {@code PeerTls} turns the {@code groupcache.tls.*} files into gRPC
 * server and channel credentials and reads the files again as they rotate; {@code PeerIdentity}
 * is the check that a peer's certificate names a member of this cluster.
 */
package dev.groupcache.jcache.security;
