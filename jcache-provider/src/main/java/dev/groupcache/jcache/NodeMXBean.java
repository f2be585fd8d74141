package dev.groupcache.jcache;

/**
 * This JVM's cluster member in JMX, as {@code dev.groupcache:type=Node}: what a health check needs,
 * readable even by an application that cannot see the provider's classes (under the agent).
 */
public interface NodeMXBean {
  /** Whether discovery has synced, is not refused, and the node is not a local-only fallback. */
  boolean isReady();

  /** Whether the node could not join the cluster and caches on its own. */
  boolean isLocalOnly();

  String getSelf();

  String[] getPeers();

  long getOwnerRequests();

  long getLateInvalidations();
}
