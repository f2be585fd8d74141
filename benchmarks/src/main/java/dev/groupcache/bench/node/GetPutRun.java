package dev.groupcache.bench.node;

import java.util.SplittableRandom;

/**
 * A get/put mix on keys that all members wrote: {@code n} keys {@code PREFIXi} put first, then
 * {@code threads} threads each doing 80 % gets and 20 % writes of uniformly drawn keys until the
 * deadline: puts, or with {@code replaces} half puts and half replaces (J5). Failed operations are
 * counted, not fatal.
 */
final class GetPutRun {
  private static final int VALUE_BYTES = 1024;

  private GetPutRun() {}

  static <K> Reply run(BenchCache<K> cache, String prefix, int n, int threads, long warmupMillis, long millis,
      boolean replaces) {
    Object[] keys = new Object[n];
    byte[][] values = new byte[n][];
    for (int i = 0; i < n; i++) {
      keys[i] = cache.key(prefix + i);
      values[i] = Values.of(prefix + i, VALUE_BYTES);
      cache.put(cache.key(prefix + i), values[i]);
    }
    mix(cache, keys, values, threads, warmupMillis, new long[threads], new long[threads], replaces);
    long[] ops = new long[threads];
    long[] errors = new long[threads];
    long elapsed = mix(cache, keys, values, threads, millis, ops, errors, replaces);
    long total = 0;
    long failed = 0;
    for (int t = 0; t < threads; t++) {
      total += ops[t];
      failed += errors[t];
    }
    return Reply.of().with("ops", total).with("errors", failed).with("elapsed_ns", elapsed);
  }

  private static <K> long mix(BenchCache<K> cache, Object[] keys, byte[][] values, int threads, long millis,
      long[] ops, long[] errors, boolean replaces) {
    return Parallel.run("get-put", threads, millis, (t, deadline) -> {
      @SuppressWarnings("unchecked") // the array holds only cache.key(...) results
      K[] k = (K[]) keys;
      SplittableRandom random = new SplittableRandom(31L * t + 7);
      int digest = 0;
      long n = 0;
      long failed = 0;
      while (System.nanoTime() < deadline) {
        int i = random.nextInt(k.length);
        try {
          int draw = random.nextInt(10);
          if (draw == 0 && replaces) {
            cache.replace(k[i], values[i]);
          } else if (draw < 2) {
            cache.put(k[i], values[i]);
          } else {
            digest += cache.get(k[i]);
          }
        } catch (RuntimeException e) {
          failed++;
        }
        n++;
      }
      Sink.consume(digest);
      ops[t] = n;
      errors[t] = failed;
    });
  }
}
