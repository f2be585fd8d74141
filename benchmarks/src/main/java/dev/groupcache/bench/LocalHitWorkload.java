package dev.groupcache.bench;

import dev.groupcache.bench.node.CacheSpec;
import dev.groupcache.bench.node.Reply;

/**
 * W1, local hit: 10,000 keys of 1 KiB that node A owns, loaded once, then read in a loop by two
 * threads on A for 10 s. The cost of a hit on the owner, reported as ns per op per thread. Caffeine
 * is measured twice, storing by value (JCache's default, a copy per get) and by reference.
 */
final class LocalHitWorkload implements Workload {
  private static final int KEYS = 10_000;
  private static final int THREADS = 2;
  private static final long MILLIS = 10_000;
  private static final long WARMUP_MILLIS = 2_000;

  @Override
  public String id() {
    return "w1";
  }

  @Override
  public boolean supports(SystemUnderTest system) {
    return true;
  }

  @Override
  public void run(Cluster cluster, Options options, Results results) {
    if (cluster.system() == SystemUnderTest.CAFFEINE) {
      measure(cluster, options, results, "w1-value", true, "w1.local_hit.ns_per_op");
      measure(cluster, options, results, "w1-ref", false, "w1.local_hit_by_reference.ns_per_op");
    } else {
      measure(cluster, options, results, "w1", true, "w1.local_hit.ns_per_op");
    }
  }

  private static void measure(Cluster cluster, Options options, Results results, String cache,
      boolean byValue, String figure) {
    cluster.open(new CacheSpec(cache, -1, ROOMY_BYTES, 0, "POPULAR", byValue));
    long millis = options.millis(MILLIS);
    cluster.call(0, "preload " + cache + " w1- " + KEYS, Workload.timeout(millis));
    Progress.note(cluster.system().label() + " W1 " + cache + ": " + KEYS + " keys loaded on "
        + cluster.id(0) + "; " + THREADS + " threads for " + millis + " ms");
    Reply r = cluster.call(0, String.join(" ", "local-hit", cache, "w1-", Integer.toString(KEYS),
        Integer.toString(THREADS), Long.toString(options.millis(WARMUP_MILLIS)),
        Long.toString(millis)), Workload.timeout(millis));
    double nsPerOp = (double) r.number("threads") * r.number("elapsed_ns") / Math.max(1, r.number("ops"));
    results.put(cluster.system(), figure, nsPerOp, Unit.NANOS);
  }
}
