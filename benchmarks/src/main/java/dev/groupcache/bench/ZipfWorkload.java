package dev.groupcache.bench;

import dev.groupcache.GroupConfig;
import dev.groupcache.bench.node.CacheSpec;
import dev.groupcache.bench.node.HazelcastMember;
import dev.groupcache.bench.node.KeySpace;
import java.util.Locale;

/**
 * W4, zipf: 100,000 keys drawn with zipf s = 1.01, a loader taking 1 ms, 16 MiB per node, 8
 * callers on each of the three nodes, from a cold start for 20 s: throughput and how often the
 * cluster had to load. Caffeine, a single JVM, gets the whole cluster's budget and callers.
 *
 * <p>The workload runs twice, each time on a new, empty cache. The first run, reported as
 * {@code w4.zipf.first_run.*}, is also the JVMs' first time through this code: on two shared cores
 * the JIT compilers take a third of the CPU during it, whatever the system. The second run is the
 * cold-cache start of a warm service, the W4 figures proper.
 */
final class ZipfWorkload implements Workload {
  private static final int THREADS_PER_NODE = 8;
  private static final int CLUSTER_NODES = 3;
  private static final long LOADER_MILLIS = 1;
  private static final long MILLIS = 20_000;

  private final String id;

  /** W4, through the engine's groups for ours. */
  ZipfWorkload() {
    this("w4");
  }

  private ZipfWorkload(String id) {
    this.id = id;
  }

  /**
   * J4: W4 through {@code javax.cache}, read-through caches with the same loader, budget per
   * member and share for copies of other members' entries (ours: near copies).
   */
  static ZipfWorkload jcache() {
    return new ZipfWorkload("j4");
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public boolean supports(SystemUnderTest system) {
    return true;
  }

  @Override
  public void run(Cluster cluster, Options options, Results results) {
    SystemUnderTest s = cluster.system();
    int scaleUp = CLUSTER_NODES / cluster.size(); // 3 for the single Caffeine JVM, else 1
    double hotShare = GroupConfig.DEFAULT_HOT_SHARE;
    CacheSpec first = new CacheSpec(id + "-first", LOADER_MILLIS, PRESSURE_BYTES * scaleUp, hotShare, "POPULAR", true);
    CacheSpec spec = new CacheSpec(id, LOADER_MILLIS, PRESSURE_BYTES * scaleUp, hotShare, "POPULAR", true);
    if (s == SystemUnderTest.HAZELCAST) {
      // Hazelcast bounds caches by entry count, not bytes: the members size the cache to
      // 16 MiB / (1024 value bytes + key bytes + per-entry overhead) entries per member, the
      // overhead being groupcache's own figure (GroupConfig.ENTRY_OVERHEAD_BYTES), so that an
      // entry weighs the same in both.
      Progress.note(String.format(Locale.ROOT, "hazelcast W4: ENTRY_COUNT eviction sized to"
          + " approximate 16 MiB per member: 16 MiB / (1024 + %d key bytes + %d overhead) = %d"
          + " entries per member", KeySpace.MAX_KEY_BYTES, GroupConfig.ENTRY_OVERHEAD_BYTES,
          HazelcastMember.targetEntries(PRESSURE_BYTES)));
    }
    long millis = options.millis(MILLIS);
    Progress.note(s.label() + " " + id + ": " + cluster.size() + " node(s) x " + THREADS_PER_NODE * scaleUp
        + " callers for " + millis + " ms");
    put(results, s, id + ".zipf.first_run.", KeyMix.run(cluster, first, "zipf", THREADS_PER_NODE * scaleUp, millis));
    put(results, s, id + ".zipf.", KeyMix.run(cluster, spec, "zipf", THREADS_PER_NODE * scaleUp, millis));
  }

  private static void put(Results results, SystemUnderTest s, String prefix, KeyMix mix) {
    results.put(s, prefix + "ops_per_s", mix.opsPerSecond(), Unit.OPS_PER_SECOND);
    results.put(s, prefix + "loads", mix.loads(), Unit.CALLS);
    results.put(s, prefix + "hit_ratio", mix.hitRatio(), Unit.FRACTION);
  }
}
