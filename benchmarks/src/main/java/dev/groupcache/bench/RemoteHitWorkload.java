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

  @Override
  public String id() {
    return "w2";
  }

  @Override
  public boolean supports(SystemUnderTest system) {
    return system != SystemUnderTest.CAFFEINE;
  }

  @Override
  public void run(Cluster cluster, Options options, Results results) {
    // hot share 0: every get on A must go to B
    cluster.open(new CacheSpec("w2", -1, ROOMY_BYTES, 0, "POPULAR", true));
    long millis = options.millis(MILLIS);
    cluster.call(1, "preload w2 w2- " + KEYS, Workload.timeout(millis));
    Progress.note(cluster.system().label() + " W2: " + KEYS + " keys loaded on B " + cluster.id(1)
        + "; " + THREADS + " threads on A " + cluster.id(0) + " for " + millis + " ms");
    Reply r = cluster.call(0, String.join(" ", "remote-hit", "w2", "w2-", Integer.toString(KEYS),
        cluster.id(1), Integer.toString(THREADS), Long.toString(options.millis(WARMUP_MILLIS)),
        Long.toString(millis)), Workload.timeout(millis));
    if (r.number("threads_stopped_full") > 0) {
      Progress.note("W2: " + r.number("threads_stopped_full") + " thread(s) filled their sample arrays early");
    }
    SystemUnderTest s = cluster.system();
    results.put(s, "w2.remote_hit.ops_per_s", r.number("ops") * 1e9 / r.number("elapsed_ns"),
        Unit.OPS_PER_SECOND);
    results.put(s, "w2.remote_hit.p50_us", r.number("p50_ns") / 1e3, Unit.MICROS);
    results.put(s, "w2.remote_hit.p99_us", r.number("p99_ns") / 1e3, Unit.MICROS);
    if (s == SystemUnderTest.OURS) {
      // Each get must be a round trip of its own, not a share of another thread's fetch.
      Reply stats = cluster.call(0, "stats w2", Workload.timeout(0));
      results.put(s, "w2.remote_hit.fetches_per_get", (double) stats.number("peer_loads") / stats.number("gets"),
          Unit.FRACTION);
    }
  }
}
