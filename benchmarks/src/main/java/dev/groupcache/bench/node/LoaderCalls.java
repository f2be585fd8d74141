package dev.groupcache.bench.node;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts every loader call made in this JVM, whichever system made it. The driver reads it before
 * and after a workload on every node and sums the differences: workloads never overlap, so the
 * difference is the workload's cluster-wide number of loads.
 */
public final class LoaderCalls {
  private static final LongAdder CALLS = new LongAdder();

  private LoaderCalls() {}

  /** Records one loader call. */
  public static void increment() {
    CALLS.increment();
  }

  /** The loader calls made in this JVM so far. */
  public static long total() {
    return CALLS.sum();
  }

  /** Sleeps as a slow backing store would, restoring the interrupt flag if interrupted. */
  public static void simulateLatency(long millis) {
    if (millis <= 0) {
      return;
    }
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
