package dev.groupcache.bench.node;

import java.util.List;

/**
 * W1: gets of keys this node owns and holds, in a tight loop on a few threads. Measures the cost
 * of a hit with no network involved, reported as threads x elapsed / ops (ns per op per thread).
 */
final class LocalHitRun {
  /** Stops a loop that somehow never sees its deadline. */
  private static final long MAX_OPS_PER_THREAD = 10_000_000_000L;
  /** Operations between clock reads, so that reading the clock costs little. */
  private static final int CHECK_EVERY = 256;

  private LocalHitRun() {}

  static <K> Reply run(BenchCache<K> cache, List<String> texts, int threads, long warmupMillis,
      long millis) {
    List<K> keyList = OwnedKeys.keysOf(cache, texts);
    Object[] keys = keyList.toArray();
    long[] ops = new long[threads];
    if (warmupMillis > 0) {
      Parallel.run("w1-warmup", threads, warmupMillis,
          (i, deadline) -> loop(cache, keys, i * keys.length / threads, deadline));
    }
    long elapsed = Parallel.run("w1", threads, millis,
        (i, deadline) -> ops[i] = loop(cache, keys, i * keys.length / threads, deadline));
    long total = 0;
    for (long n : ops) {
      total += n;
    }
    return Reply.of().with("ops", total).with("elapsed_ns", elapsed).with("threads", threads);
  }

  /** Loops over the keys from {@code at} (threads start apart) until the deadline. */
  private static <K> long loop(BenchCache<K> cache, Object[] keys, int at, long deadline) {
    @SuppressWarnings("unchecked") // the array holds only cache.key(...) results
    K[] k = (K[]) keys;
    int digest = 0;
    long n = 0;
    while (n < MAX_OPS_PER_THREAD) {
      digest += cache.get(k[at]);
      at = at + 1 == k.length ? 0 : at + 1;
      n++;
      if (n % CHECK_EVERY == 0 && System.nanoTime() >= deadline) {
        break;
      }
    }
    Sink.consume(digest);
    return n;
  }
}
