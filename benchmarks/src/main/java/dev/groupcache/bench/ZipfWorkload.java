package dev.groupcache.bench;

import dev.groupcache.GroupConfig;
import dev.groupcache.bench.node.CacheSpec;
import dev.groupcache.bench.node.HazelcastMember;
import dev.groupcache.bench.node.KeySpace;
import dev.groupcache.bench.node.Reply;
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
 *
 * <p>J4 runs the mix for another {@value #J4_WARMUP_MILLIS} ms between the two, on a cache of its
 * own and unreported: profiles of J4's second run after only the first (2026-12-07, JFR of a fresh
 * member) showed C2 still compiling the read-through and peer paths, its thread the largest user of
 * CPU in every member (13 % of the machine each, the member's I/O thread 10 %), as J5 and J6 did
 * before their warm-ups. Both systems get the same. Why 40 s: per-thread CPU through a run of
 * ours with 20 (2026-12-08) had each member's C2 thread at a quarter of a CPU for the first 60 s of
 * the mix, through most of the measured run, and quiet after.
 *
 * <p>J4 then runs the mix {@value #MILLIS} ms more on the cache its second run filled, keys drawn
 * with other seeds ({@code j4.zipf.warm_cache.*}). A cold run's hit ratio is bounded by how many
 * gets it makes: each key's first get misses, and in 20 s of zipf draws over 100,000 keys most
 * keys are drawn (at 1M gets, about 78,000: even an unbounded cache hits at most 0.92). The warm
 * run's hit ratio is the cache's own: what its budget and admission keep, at any throughput.
 *
 * <p>Last, J4 times what a miss costs on its own ({@code j4.remote_miss.*}): one caller on the first
 * member gets keys that the second owns and nobody has loaded, each once, through the same 1 ms
 * loader, for {@value #MISS_MILLIS} ms. Whatever the system, such a get is at least the loader's
 * time and one round trip to the owner.
 */
final class ZipfWorkload implements Workload {
  private static final int THREADS_PER_NODE = 8;
  private static final int CLUSTER_NODES = 3;
  private static final long LOADER_MILLIS = 1;
  private static final long MILLIS = 20_000;
  private static final long J4_WARMUP_MILLIS = 40_000;
  private static final long MISS_MILLIS = 3_000;
  /** More keys than one caller can miss in {@link #MISS_MILLIS} at 1 ms a load: none is asked twice. */
  private static final int MISS_KEYS = 5_000;

  private final String id;
  /** J4: warms up between its two runs, then times misses on their own. */
  private final boolean throughJCache;

  /** W4, through the engine's groups for ours. */
  ZipfWorkload() {
    this("w4", false);
  }

  private ZipfWorkload(String id, boolean throughJCache) {
    this.id = id;
    this.throughJCache = throughJCache;
  }

  /**
   * J4: W4 through {@code javax.cache}, read-through caches with the same loader, budget per
   * member and share for copies of other members' entries (ours: near copies).
   */
  static ZipfWorkload jcache() {
    return new ZipfWorkload("j4", true);
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
    int threads = THREADS_PER_NODE * scaleUp;
    put(results, s, id + ".zipf.first_run.", KeyMix.run(cluster, spec("-first", scaleUp), "zipf", threads, millis));
    if (throughJCache) {
      KeyMix.run(cluster, spec("-warm-up", scaleUp), "zipf", threads, options.millis(J4_WARMUP_MILLIS));
    }
    CacheSpec measured = spec("", scaleUp);
    put(results, s, id + ".zipf.", KeyMix.run(cluster, measured, "zipf", threads, millis));
    if (throughJCache) {
      put(results, s, id + ".zipf.warm_cache.", KeyMix.rerun(cluster, measured, "zipf", threads, millis));
    }
    if (throughJCache && cluster.size() > 1) {
      remoteMisses(cluster, options, results);
    }
  }

  /** A fresh read-through cache of this workload's, with the 1 ms loader and the budget per JVM. */
  private CacheSpec spec(String suffix, int scaleUp) {
    return new CacheSpec(id + suffix, LOADER_MILLIS, PRESSURE_BYTES * scaleUp, GroupConfig.DEFAULT_HOT_SHARE,
        "POPULAR", true);
  }

  private void remoteMisses(Cluster cluster, Options options, Results results) {
    CacheSpec spec = spec("-misses", 1);
    String cache = spec.name();
    cluster.open(spec);
    long millis = options.millis(MISS_MILLIS);
    long loads = cluster.loads();
    Reply r = cluster.call(0, String.join(" ", "remote-hit", cache, cache + "-", Integer.toString(MISS_KEYS),
        cluster.id(1), "1", "0", Long.toString(millis)), Workload.timeout(millis));
    long gets = r.number("ops");
    Progress.note(cluster.system().label() + " " + cache + ": " + gets + " gets of B's keys from A, "
        + (cluster.loads() - loads) + " loads");
    SystemUnderTest s = cluster.system();
    results.put(s, id + ".remote_miss.p50_us", r.number("p50_ns") / 1e3, Unit.MICROS);
    results.put(s, id + ".remote_miss.p99_us", r.number("p99_ns") / 1e3, Unit.MICROS);
  }

  private static void put(Results results, SystemUnderTest s, String prefix, KeyMix mix) {
    results.put(s, prefix + "ops_per_s", mix.opsPerSecond(), Unit.OPS_PER_SECOND);
    results.put(s, prefix + "loads", mix.loads(), Unit.CALLS);
    results.put(s, prefix + "hit_ratio", mix.hitRatio(), Unit.FRACTION);
  }
}
