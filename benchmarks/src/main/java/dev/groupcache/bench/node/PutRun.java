package dev.groupcache.bench.node;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * W6: puts from this node of keys no one has written, {@code PREFIXi} for i below {@code n}, on
 * {@code threads} threads, each doing one put at a time and taking every {@code threads}-th key.
 * Keys and values are made before the timed loop. Bounded in count ({@code n} puts) and in time:
 * a thread stops at the deadline with whatever it did, and the reply says whether any had to.
 *
 * <p>Every put is timed into arrays allocated beforehand. The reply carries every sample, so that
 * the driver merges all members' into exact percentiles of the cluster. A put that throws is
 * counted as an error, not as a put, and its time is not a sample; the run goes on.
 */
final class PutRun {
  private PutRun() {}

  static <K> Reply run(BenchCache<K> cache, String prefix, int n, int threads, int valueBytes,
      long maxMillis) {
    if (n < threads) {
      throw new IllegalArgumentException(n + " puts cannot give " + threads + " threads one each");
    }
    Object[][] keys = new Object[threads][];
    byte[][][] values = new byte[threads][][];
    for (int t = 0; t < threads; t++) {
      int count = (n - t + threads - 1) / threads;
      keys[t] = new Object[count];
      values[t] = new byte[count][];
      for (int i = 0; i < count; i++) {
        String text = prefix + (t + i * threads);
        keys[t][i] = cache.key(text);
        values[t][i] = Values.of(text, valueBytes);
      }
    }
    int[][] samples = new int[threads][];
    for (int t = 0; t < threads; t++) {
      samples[t] = new int[keys[t].length];
    }
    int[] counts = new int[threads];
    AtomicInteger errors = new AtomicInteger();
    AtomicInteger stopped = new AtomicInteger();
    long elapsed = Parallel.run("puts", threads, maxMillis, (t, deadline) -> {
      int attempted = loop(cache, keys[t], values[t], deadline, samples[t], counts, t, errors);
      if (attempted < keys[t].length) {
        stopped.incrementAndGet();
      }
    });
    StringBuilder all = new StringBuilder();
    int puts = 0;
    for (int t = 0; t < threads; t++) {
      puts += counts[t];
      for (int i = 0; i < counts[t]; i++) {
        all.append(all.length() == 0 ? "" : ",").append(samples[t][i]);
      }
    }
    return Reply.of().with("puts", puts).with("planned", n).with("errors", errors.get())
        .with("elapsed_ns", elapsed).with("threads_stopped_at_deadline", stopped.get())
        .with("samples_ns", all.length() == 0 ? "-" : all);
  }

  /**
   * Puts the keys in order until done or the deadline, timing each that succeeds into {@code
   * samples} and counting them in {@code counts[t]}; returns how many it tried.
   */
  private static <K> int loop(BenchCache<K> cache, Object[] keys, byte[][] values, long deadline,
      int[] samples, int[] counts, int t, AtomicInteger errors) {
    @SuppressWarnings("unchecked") // the array holds only cache.key(...) results
    K[] k = (K[]) keys;
    int n = 0;
    int i = 0;
    long now = System.nanoTime();
    for (; i < k.length && now < deadline; i++) {
      boolean ok = true;
      try {
        cache.put(k[i], values[i]);
      } catch (RuntimeException e) {
        ok = false;
        if (errors.getAndIncrement() < 5) {
          System.err.println("put of " + k[i] + " failed: " + e);
        }
      }
      long end = System.nanoTime();
      if (ok) {
        samples[n++] = (int) Math.min(Integer.MAX_VALUE, end - now);
      }
      now = end;
    }
    counts[t] = n;
    return i;
  }
}
