package dev.groupcache.bench;

import dev.groupcache.bench.node.CacheSpec;
import dev.groupcache.bench.node.Reply;
import java.util.Locale;

/**
 * J6, bulk load through {@code javax.cache}: one member writes {@value #ENTRIES} new entries of 1
 * KiB into an empty cache, in {@code putAll} calls of {@value #BATCH} one at a time ({@code
 * j6.put_all.entries_per_s}), then as many other new entries one {@code put} at a time ({@code
 * j6.sequential_put.entries_per_s}). Rounds with other keys come first, unmeasured ({@value
 * #WARMUP_ROUNDS} of {@code putAll}, one of puts), so that the figures are of JVMs whose compilers
 * have done most of their work: in a first round of fresh members the compilers take most of the
 * CPU. Ours and Hazelcast with one synchronous backup, each system's default.
 */
final class BulkLoadWorkload implements Workload {
  private static final int ENTRIES = 10_000;
  private static final int BATCH = 500;
  private static final int WARMUP_ROUNDS = 3;
  private static final long MAX_MILLIS = 120_000;

  @Override
  public String id() {
    return "j6";
  }

  @Override
  public boolean supports(SystemUnderTest system) {
    return true;
  }

  @Override
  public void run(Cluster cluster, Options options, Results results) {
    cluster.open(new CacheSpec("j6", -1, ROOMY_BYTES, 0.125, "POPULAR", true, 1));
    int n = (int) Math.max(BATCH, Math.round(ENTRIES * Math.min(1, options.scale())));
    long maxMillis = options.millis(MAX_MILLIS);
    for (int round = 0; round < WARMUP_ROUNDS; round++) {
      load(cluster, "warm-all-" + round + "-", n, BATCH, maxMillis);
    }
    load(cluster, "warm-one-", n, 0, maxMillis);
    results.put(cluster.system(), "j6.put_all.entries_per_s", load(cluster, "all-", n, BATCH, maxMillis),
        Unit.OPS_PER_SECOND);
    results.put(cluster.system(), "j6.sequential_put.entries_per_s", load(cluster, "one-", n, 0, maxMillis),
        Unit.OPS_PER_SECOND);
  }

  /** Writes {@code n} new entries from the first member; entries per second. */
  private static double load(Cluster cluster, String prefix, int n, int batch, long maxMillis) {
    Reply r = cluster.call(0, String.join(" ", "bulk", "j6", "j6-" + prefix, Integer.toString(n),
        Integer.toString(batch), Long.toString(maxMillis)), Workload.timeout(maxMillis));
    double perSecond = r.number("entries") * 1e9 / Math.max(1, r.number("elapsed_ns"));
    Progress.note(String.format(Locale.ROOT, "%s J6 %s: %d of %d entries (%s) in %.2f s, %.0f entries/s, %d failed",
        cluster.system().label(), prefix, r.number("entries"), n, batch == 0 ? "put" : "putAll of " + batch,
        r.number("elapsed_ns") / 1e9, perSecond, r.number("errors")));
    return perSecond;
  }
}
