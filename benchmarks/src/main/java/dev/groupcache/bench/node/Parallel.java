package dev.groupcache.bench.node;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a timed loop on several threads that start together, and measures the wall time from
 * their common start until the last one stops. Every thread is told the same deadline and must
 * stop by itself at it; waits here are bounded in case one does not.
 */
final class Parallel {
  /** How long past its deadline a worker may take before the run is declared stuck. */
  private static final long GRACE_MILLIS = 120_000;

  /** One worker's loop. */
  @FunctionalInterface
  interface Body {
    void run(int index, long deadlineNanos) throws Exception;
  }

  private Parallel() {}

  /** Runs {@code threads} copies of {@code body} for {@code millis}; returns the elapsed nanos. */
  static long run(String name, int threads, long millis, Body body) {
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    long[] times = new long[threads + 2]; // [0] start, [1] deadline, then each worker's end
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread[] workers = new Thread[threads];
    for (int i = 0; i < threads; i++) {
      int index = i;
      workers[i] = new Thread(() -> {
        ready.countDown();
        try {
          if (go.await(GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
            body.run(index, times[1]);
          }
        } catch (Throwable t) {
          failure.compareAndSet(null, t);
        } finally {
          times[index + 2] = System.nanoTime();
        }
      }, name + "-" + i);
      workers[i].setDaemon(true);
      workers[i].start();
    }
    try {
      if (!ready.await(GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(name + ": workers did not start");
      }
      times[0] = System.nanoTime();
      times[1] = times[0] + TimeUnit.MILLISECONDS.toNanos(millis);
      go.countDown(); // publishes times[0..1] to the workers
      long joinDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis + GRACE_MILLIS);
      for (Thread w : workers) {
        long left = TimeUnit.NANOSECONDS.toMillis(joinDeadline - System.nanoTime());
        w.join(Math.max(1, left));
        if (w.isAlive()) {
          throw new IllegalStateException(name + ": " + w.getName() + " did not stop");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(name + " interrupted", e);
    }
    if (failure.get() != null) {
      throw new IllegalStateException(name + " failed: " + failure.get(), failure.get());
    }
    long last = times[0];
    for (int i = 0; i < threads; i++) {
      last = Math.max(last, times[i + 2]); // Thread.join made the workers' writes visible
    }
    return last - times[0];
  }
}
