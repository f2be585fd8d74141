package dev.groupcache.bench.node;

import java.util.Arrays;

/** Exact percentiles of recorded latencies, by the nearest-rank method on all samples sorted. */
public final class Percentiles {
  private final int[] sorted;

  private Percentiles(int[] sorted) {
    this.sorted = sorted;
  }

  /** Merges the first {@code counts[i]} samples of every {@code samples[i]} and sorts them. */
  public static Percentiles of(int[][] samples, int[] counts) {
    long total = 0;
    for (int c : counts) {
      total += c;
    }
    int[] all = new int[Math.toIntExact(total)];
    int at = 0;
    for (int i = 0; i < samples.length; i++) {
      System.arraycopy(samples[i], 0, all, at, counts[i]);
      at += counts[i];
    }
    Arrays.sort(all);
    return new Percentiles(all);
  }

  /** The smallest sample with at least a fraction {@code p} of the samples at or below it; 0 if none. */
  public int at(double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
  }

  public int count() {
    return sorted.length;
  }
}
