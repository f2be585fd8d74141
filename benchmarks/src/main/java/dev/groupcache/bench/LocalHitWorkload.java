package dev.groupcache.bench;

import dev.groupcache.bench.node.CacheSpec;
import dev.groupcache.bench.node.Reply;

/**
 * W1, local hit: 10,000 keys of 1 KiB that node A owns, loaded once, then read in a loop by two
 * threads on A for 10 s. The cost of a hit on the owner, reported as ns per op per thread. Caffeine
 * is measured twice, storing by value (JCache's default, a copy per get) and by reference.
 */
final class LocalHitWorkload implements Workload {
  /** J1's near-copy hit: this many keys another member owns, few enough for A's near copies. */
  private static final int NEAR_KEYS = 1_000;
  private static final int KEYS = 10_000;
  private static final int THREADS = 2;
  private static final long MILLIS = 10_000;
  private static final long WARMUP_MILLIS = 2_000;

  private final String id;

  /** W1, through the engine's groups for ours. */
  LocalHitWorkload() {
    this("w1");
  }

  private LocalHitWorkload(String id) {
    this.id = id;
  }

  /**
   * J1: W1 through {@code javax.cache} for every system; for ours and Hazelcast also a get answered
   * by a near copy of another member's entry ({@code j1.near_hit.ns_per_op}): {@value #NEAR_KEYS}
   * keys node B owns, read on A in the same loop once A holds copies of them (Hazelcast: through a
   * client on A with a near cache, the only place its JCache keeps one).
   */
  static LocalHitWorkload jcache() {
    return new LocalHitWorkload("j1");
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
    if (cluster.system() == SystemUnderTest.CAFFEINE) {
      measure(cluster, options, results, id + "-value", true, id + ".local_hit.ns_per_op");
      measure(cluster, options, results, id + "-ref", false, id + ".local_hit_by_reference.ns_per_op");
    } else {
      measure(cluster, options, results, id, true, id + ".local_hit.ns_per_op");
    }
    if (throughJCache() && cluster.system() != SystemUnderTest.CAFFEINE) {
      nearHit(cluster, options, results);
    }
  }

  private void nearHit(Cluster cluster, Options options, Results results) {
    String cache = id + "-near";
    cluster.open(new CacheSpec(cache, -1, ROOMY_BYTES, 0.125, "POPULAR", true));
    long millis = options.millis(MILLIS);
    cluster.call(1, "preload " + cache + " " + cache + "- " + NEAR_KEYS, Workload.timeout(millis));
    Reply r = cluster.call(0, String.join(" ", "near-hit", cache, cache + "-", Integer.toString(NEAR_KEYS),
        cluster.id(1), Integer.toString(THREADS), Long.toString(options.millis(WARMUP_MILLIS)),
        Long.toString(millis)), Workload.timeout(millis));
    double nsPerOp = (double) r.number("threads") * r.number("elapsed_ns") / Math.max(1, r.number("ops"));
    results.put(cluster.system(), id + ".near_hit.ns_per_op", nsPerOp, Unit.NANOS);
  }

  private static void measure(Cluster cluster, Options options, Results results, String cache,
      boolean byValue, String figure) {
    cluster.open(new CacheSpec(cache, -1, ROOMY_BYTES, 0, "POPULAR", byValue));
    long millis = options.millis(MILLIS);
    String prefix = cache.substring(0, 2) + "-";
    cluster.call(0, "preload " + cache + " " + prefix + " " + KEYS, Workload.timeout(millis));
    Progress.note(cluster.system().label() + " " + cache + ": " + KEYS + " keys loaded on "
        + cluster.id(0) + "; " + THREADS + " threads for " + millis + " ms");
    Reply r = cluster.call(0, String.join(" ", "local-hit", cache, prefix, Integer.toString(KEYS),
        Integer.toString(THREADS), Long.toString(options.millis(WARMUP_MILLIS)),
        Long.toString(millis)), Workload.timeout(millis));
    double nsPerOp = (double) r.number("threads") * r.number("elapsed_ns") / Math.max(1, r.number("ops"));
    results.put(cluster.system(), figure, nsPerOp, Unit.NANOS);
  }
}
