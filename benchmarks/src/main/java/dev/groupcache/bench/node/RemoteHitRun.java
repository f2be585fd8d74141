package dev.groupcache.bench.node;

import java.util.List;

/**
 * W2: gets, from this node, of keys that another node owns and holds. Every get is timed, into
 * arrays allocated before the run, so the percentiles are exact over all operations; a thread that
 * fills its array stops early and the reply says how many did.
 *
 * <p>Each thread cycles through keys of its own, so no two threads ever ask for one key at once:
 * every get is a round trip of its own. Threads that merely start at different places in one list
 * drift into step and then share fetches (a get joining another's under way), which measures the
 * single flight instead of the peer protocol: before this was fixed a quarter of our gets joined
 * another's fetch, a third more gets than round trips.
 */
final class RemoteHitRun {
  /** Samples per thread: 4 MiB each, far beyond what 10 s of network round trips produce. */
  private static final int MAX_SAMPLES_PER_THREAD = 1 << 20;
  /** Bounds the untimed warm-up loop, which records nothing. */
  private static final int MAX_WARMUP_OPS_PER_THREAD = 100_000_000;

  private RemoteHitRun() {}

  static <K> Reply run(BenchCache<K> cache, List<String> texts, int threads, long warmupMillis,
      long millis) {
    Object[][] keys = slices(OwnedKeys.keysOf(cache, texts), threads);
    if (warmupMillis > 0) {
      Parallel.run("w2-warmup", threads, warmupMillis, (i, deadline) ->
          loop(cache, keys[i], deadline, null, MAX_WARMUP_OPS_PER_THREAD));
    }
    int[][] samples = new int[threads][MAX_SAMPLES_PER_THREAD];
    int[] counts = new int[threads];
    long elapsed = Parallel.run("w2", threads, millis, (i, deadline) -> counts[i] =
        loop(cache, keys[i], deadline, samples[i], MAX_SAMPLES_PER_THREAD));
    int full = 0;
    for (int c : counts) {
      full += c == MAX_SAMPLES_PER_THREAD ? 1 : 0;
    }
    Percentiles p = Percentiles.of(samples, counts);
    return Reply.of().with("ops", p.count()).with("elapsed_ns", elapsed)
        .with("p50_ns", p.at(0.50)).with("p99_ns", p.at(0.99)).with("threads_stopped_full", full);
  }

  /** Deals the keys out to the threads, every {@code threads}-th key to the same one. */
  static <K> Object[][] slices(List<K> keys, int threads) {
    if (keys.size() < threads) {
      throw new IllegalArgumentException(keys.size() + " keys cannot give " + threads + " threads one each");
    }
    Object[][] slices = new Object[threads][];
    for (int t = 0; t < threads; t++) {
      slices[t] = new Object[(keys.size() - t + threads - 1) / threads];
      for (int i = 0; i < slices[t].length; i++) {
        slices[t][i] = keys.get(t + i * threads);
      }
    }
    return slices;
  }

  /** Returns the number of gets, each timed into {@code samples} unless it is null. */
  private static <K> int loop(BenchCache<K> cache, Object[] keys, long deadline, int[] samples,
      int maxOps) {
    @SuppressWarnings("unchecked") // the array holds only cache.key(...) results
    K[] k = (K[]) keys;
    int digest = 0;
    int n = 0;
    int at = 0;
    long now = System.nanoTime();
    while (now < deadline && n < maxOps) {
      digest += cache.get(k[at]);
      long end = System.nanoTime();
      if (samples != null) {
        samples[n] = (int) Math.min(Integer.MAX_VALUE, end - now);
      }
      n++;
      now = end;
      at = at + 1 == k.length ? 0 : at + 1;
    }
    Sink.consume(digest);
    return n;
  }
}
