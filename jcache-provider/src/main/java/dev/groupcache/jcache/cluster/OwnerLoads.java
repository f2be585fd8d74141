package dev.groupcache.jcache.cluster;

import dev.groupcache.ByteView;

/**
 * A cache's loader as the owner of its keys runs it for peers: a peer's get that misses waits for
 * the owner's load, one round trip, instead of taking the owner's lease, loading, and reporting
 * what it loaded, two. The owner's own gets load on their own threads, under the same leases.
 */
public interface OwnerLoads {
  /**
   * Takes a place for one more load; false when this node runs as many as it will, or its recent
   * loads took too long for a peer to wait for: then the peer loads, under the owner's lease.
   */
  boolean reserve();

  /**
   * Loads {@code key} on another thread under the owner's {@code lease} and reports the outcome to
   * the owner's store, whose answer goes to every read waiting for it; then frees the place that
   * {@link #reserve} took.
   */
  void start(ByteView key, long lease);
}
