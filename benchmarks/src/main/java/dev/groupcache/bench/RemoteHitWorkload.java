package dev.groupcache.bench;

import dev.groupcache.bench.node.CacheSpec;
import dev.groupcache.bench.node.Reply;

/**
 * W2, remote hit: node A asks for keys that node B owns and holds, with no hot cache on A, from 16
 * threads for 10 s. One network round trip per get: throughput and exact latency percentiles. For
 * ours it also prints the share of gets that were fetches of their own (1 when no get shared
 * another's fetch, as the workload intends).
 */
final class RemoteHitWorkload implements Workload {
  private static final int KEYS = 10_000;
  private static final int THREADS = 16;
  private static final long MILLIS = 10_000;
  private static final long WARMUP_MILLIS = 6_000;

  private final String id;

  /** W2, through the engine's groups for ours. */
  RemoteHitWorkload() {
    this("w2");
  }

  private RemoteHitWorkload(String id) {
    this.id = id;
  }

  /**
   * J2: W2 through {@code javax.cache}, near copies off ({@code j2.remote_hit.*}); for ours again
   * with near copies on, the provider's default share ({@code j2.remote_hit_near.*}): 10 MiB of
   * values against 8 MiB of copies, so part of the gets are near hits and the rest round trips.
   * Hazelcast members keep no near cache for JCache (its near cache is a client's), so it runs the
   * first only.
   */
  static RemoteHitWorkload jcache() {
    return new RemoteHitWorkload("j2");
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public boolean supports(SystemUnderTest system) {
    return system != SystemUnderTest.CAFFEINE;
  }

  @Override
  public void run(Cluster cluster, Options options, Results results) {
    // hot share 0: every get on A must go to B
    measure(cluster, options, results, id, 0, id + ".remote_hit.");
    if (throughJCache() && cluster.system() == SystemUnderTest.OURS) {
      measure(cluster, options, results, id + "-near", 0.125, id + ".remote_hit_near.");
    }
  }

  private void measure(Cluster cluster, Options options, Results results, String cache, double hotShare,
      String figures) {
    cluster.open(new CacheSpec(cache, -1, ROOMY_BYTES, hotShare, "POPULAR", true));
    long millis = options.millis(MILLIS);
    String prefix = cache + "-";
    cluster.call(1, "preload " + cache + " " + prefix + " " + KEYS, Workload.timeout(millis));
    Progress.note(cluster.system().label() + " " + cache + ": " + KEYS + " keys loaded on B " + cluster.id(1)
        + "; " + THREADS + " threads on A " + cluster.id(0) + " for " + millis + " ms");
    Reply r = cluster.call(0, String.join(" ", "remote-hit", cache, prefix, Integer.toString(KEYS),
        cluster.id(1), Integer.toString(THREADS), Long.toString(options.millis(WARMUP_MILLIS)),
        Long.toString(millis)), Workload.timeout(millis));
    if (r.number("threads_stopped_full") > 0) {
      Progress.note("W2: " + r.number("threads_stopped_full") + " thread(s) filled their sample arrays early");
    }
    SystemUnderTest s = cluster.system();
    results.put(s, figures + "ops_per_s", r.number("ops") * 1e9 / r.number("elapsed_ns"),
        Unit.OPS_PER_SECOND);
    results.put(s, figures + "p50_us", r.number("p50_ns") / 1e3, Unit.MICROS);
    results.put(s, figures + "p99_us", r.number("p99_ns") / 1e3, Unit.MICROS);
    if (s == SystemUnderTest.OURS && !throughJCache()) {
      // Each get must be a round trip of its own, not a share of another thread's fetch.
      Reply stats = cluster.call(0, "stats w2", Workload.timeout(0));
      results.put(s, "w2.remote_hit.fetches_per_get", (double) stats.number("peer_loads") / stats.number("gets"),
          Unit.FRACTION);
    }
  }
}
