package dev.groupcache.bench.node;

import java.util.SplittableRandom;

/**
 * W4 and W5: gets of keys drawn from the 100,000 of {@link KeySpace}, by zipf popularity or
 * uniformly, on several threads, from a cold cache. Failed gets are counted, not fatal: a slow
 * system should still report how far it got.
 */
final class MixRun {
  /** The zipf exponent of the workload. */
  static final double ZIPF_S = 1.01;
  private static final long MAX_OPS_PER_THREAD = 1_000_000_000L;
  private static volatile ZipfSampler zipf;

  private MixRun() {}

  static <K> Reply run(BenchCache<K> cache, String distribution, int threads, long seed, long millis) {
    boolean uniform = switch (distribution) {
      case "zipf" -> false;
      case "uniform" -> true;
      default -> throw new IllegalArgumentException("distribution must be zipf or uniform: " + distribution);
    };
    ZipfSampler sampler = uniform ? null : zipf();
    Object[] byRank = new Object[KeySpace.SIZE];
    for (int r = 0; r < byRank.length; r++) {
      byRank[r] = cache.key(KeySpace.keyOfRank(r));
    }
    long[] gets = new long[threads];
    long[] errors = new long[threads];
    long elapsed = Parallel.run("mix", threads, millis, (i, deadline) -> {
      @SuppressWarnings("unchecked") // the array holds only cache.key(...) results
      K[] keys = (K[]) byRank;
      SplittableRandom random = new SplittableRandom(seed * 1_000_003L + i);
      int digest = 0;
      long n = 0;
      long failed = 0;
      while (n < MAX_OPS_PER_THREAD && System.nanoTime() < deadline) {
        int rank = uniform ? random.nextInt(KeySpace.SIZE) : sampler.next(random);
        try {
          digest += cache.get(keys[rank]);
        } catch (RuntimeException e) {
          failed++;
        }
        n++;
      }
      Sink.consume(digest);
      gets[i] = n;
      errors[i] = failed;
    });
    long total = 0;
    long failed = 0;
    for (int i = 0; i < threads; i++) {
      total += gets[i];
      failed += errors[i];
    }
    return Reply.of().with("gets", total).with("errors", failed).with("elapsed_ns", elapsed);
  }

  /** The sampler, built on first use: its table takes a moment and is the same for every run. */
  private static ZipfSampler zipf() {
    ZipfSampler z = zipf;
    if (z == null) {
      z = new ZipfSampler(KeySpace.SIZE, ZIPF_S);
      zipf = z;
    }
    return z;
  }
}
