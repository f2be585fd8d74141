package dev.groupcache.bench.node;

import java.util.SplittableRandom;

/**
 * Draws ranks {@code 0..n-1} with probability proportional to {@code 1 / (rank + 1)^s}, by binary
 * search over a precomputed cumulative distribution: exact, and O(log n) per draw without the
 * approximations of rejection samplers. Immutable, so one instance serves every thread; each thread
 * brings its own random source.
 */
public final class ZipfSampler {
  private final double[] cdf;

  public ZipfSampler(int n, double s) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be positive: " + n);
    }
    cdf = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += 1.0 / Math.pow(i + 1, s);
      cdf[i] = sum;
    }
    for (int i = 0; i < n; i++) {
      cdf[i] /= sum;
    }
    cdf[n - 1] = 1.0;
  }

  /** A rank, 0 being the most popular. */
  public int next(SplittableRandom random) {
    double u = random.nextDouble();
    int lo = 0;
    int hi = cdf.length - 1;
    while (lo < hi) { // at most log2(n) + 1 steps
      int mid = (lo + hi) >>> 1;
      if (cdf[mid] < u) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
