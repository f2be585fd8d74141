package dev.groupcache.bench.node;

import java.util.List;

/**
 * One node of a system under test, inside a child JVM: the part of a benchmark that differs from
 * system to system. Everything else (key choice, timed loops, counting) is shared, so every system
 * runs the same workload code.
 */
public interface BenchNode extends AutoCloseable {
  /** This node's id: an address for groupcache, a member UUID for Hazelcast. */
  String id();

  /**
   * Makes this node a member of the cluster whose nodes have the given ids, and returns once it
   * is: groupcache sets its peers; Hazelcast waits for the members to meet and its partitions to
   * settle.
   */
  void join(List<String> ids) throws Exception;

  /**
   * Opens a new, empty cache. The driver opens each cache on one node at a time, the first node
   * first, so that a system whose caches are cluster objects can create it there.
   */
  BenchCache<?> open(CacheSpec spec) throws Exception;

  /**
   * The cache {@code opened} as this node's gets see it through the system's near cache. Ours keeps
   * its near copies in the cache itself, so this is {@code opened}; a system whose members keep none
   * (Hazelcast's JCache has near caches on clients only) answers with a client's view.
   */
  default BenchCache<?> nearView(String name, BenchCache<?> opened) throws Exception {
    return opened;
  }

  @Override
  void close();
}
