package dev.groupcache.bench;

import dev.groupcache.bench.node.CacheSpec;
import dev.groupcache.bench.node.Reply;
import java.util.Arrays;
import java.util.Locale;

/**
 * J6, bulk load through {@code javax.cache}: one member writes {@value #ENTRIES} new entries of 1
 * KiB into an empty cache, in {@code putAll} calls of {@value #BATCH} one at a time ({@code
 * j6.put_all.entries_per_s}, the median of {@value #MEASURED_ROUNDS} rounds), then as many other
 * new entries one {@code put} at a time ({@code j6.sequential_put.entries_per_s}). Warm-up rounds of
 * the same shape come first, unmeasured, each removing what it wrote: one of puts, then {@code
 * putAll} rounds for at least {@value #WARMUP_MILLIS} ms (scaled) and {@value #MIN_WARMUP_ROUNDS}
 * rounds. A fixed count of rounds was not enough: a profile of ours after three rounds (and after
 * thirty) showed the JIT compilers' threads using more CPU than the cache's, for Hazelcast too, so
 * the figure was of the compilers. Per-thread CPU of ours (2026-12-08) had each member's C2 thread
 * busy for about 50 s of {@code putAll} rounds, and busy again in the measured rounds when the
 * round of puts came last: the puts' code was then compiling. Ours and Hazelcast with one
 * synchronous backup, each system's default.
 */
final class BulkLoadWorkload implements Workload {
  private static final int ENTRIES = 10_000;
  private static final int BATCH = 500;
  private static final int MIN_WARMUP_ROUNDS = 3;
  private static final long WARMUP_MILLIS = 60_000;
  private static final int MEASURED_ROUNDS = 5;
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
    long warmUntil = System.nanoTime() + options.millis(WARMUP_MILLIS) * 1_000_000;
    load(cluster, "warm-one-", n, 0, maxMillis, true);
    for (int round = 0; round < MIN_WARMUP_ROUNDS || System.nanoTime() < warmUntil; round++) {
      load(cluster, "warm-all-" + round + "-", n, BATCH, maxMillis, true);
    }
    double[] rounds = new double[MEASURED_ROUNDS];
    for (int round = 0; round < MEASURED_ROUNDS; round++) {
      rounds[round] = load(cluster, "all-" + round + "-", n, BATCH, maxMillis, true);
    }
    Arrays.sort(rounds);
    results.put(cluster.system(), "j6.put_all.entries_per_s", rounds[MEASURED_ROUNDS / 2], Unit.OPS_PER_SECOND);
    results.put(cluster.system(), "j6.sequential_put.entries_per_s", load(cluster, "one-", n, 0, maxMillis, false),
        Unit.OPS_PER_SECOND);
  }

  /** Writes {@code n} new entries from the first member, and removes them if asked; entries per second. */
  private static double load(Cluster cluster, String prefix, int n, int batch, long maxMillis, boolean remove) {
    Reply r = cluster.call(0, String.join(" ", "bulk", "j6", "j6-" + prefix, Integer.toString(n),
        Integer.toString(batch), Long.toString(maxMillis), remove ? "remove" : "keep"), Workload.timeout(maxMillis));
    double perSecond = r.number("entries") * 1e9 / Math.max(1, r.number("elapsed_ns"));
    Progress.note(String.format(Locale.ROOT, "%s J6 %s: %d of %d entries (%s) in %.2f s, %.0f entries/s, %d failed",
        cluster.system().label(), prefix, r.number("entries"), n, batch == 0 ? "put" : "putAll of " + batch,
        r.number("elapsed_ns") / 1e9, perSecond, r.number("errors")));
    return perSecond;
  }
}
