package dev.groupcache.bench.node;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * W3: a thundering herd. {@link #arm} parks many threads, each about to get the same missing key;
 * {@link #release} lets them all go at once and waits for the last to return. Arming and releasing
 * are separate commands so that the driver can release every node of the cluster together.
 */
final class HerdRun {
  private static final long MAX_WAIT_MILLIS = 60_000;

  private final CountDownLatch armed;
  private final CountDownLatch go = new CountDownLatch(1);
  private final CountDownLatch done;
  private final CountDownLatch dismissed = new CountDownLatch(1);
  private final long[] ends;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  private <K> HerdRun(BenchCache<K> cache, String keyText, int threads) {
    K key = cache.key(keyText);
    armed = new CountDownLatch(threads);
    done = new CountDownLatch(threads);
    ends = new long[threads];
    for (int i = 0; i < threads; i++) {
      int index = i;
      Thread t = new Thread(() -> {
        try {
          armed.countDown();
          if (go.await(MAX_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
            Sink.consume(cache.get(key));
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        } finally {
          ends[index] = System.nanoTime();
          done.countDown();
        }
        awaitQuietly(dismissed); // a thread's exit takes CPU the others' wake-ups still need
      }, "herd-" + i);
      t.setDaemon(true);
      t.start();
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(MAX_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts {@code threads} threads that will get {@code keyText} once released; returns when all wait. */
  static <K> HerdRun arm(BenchCache<K> cache, String keyText, int threads) throws InterruptedException {
    HerdRun herd = new HerdRun(cache, keyText, threads);
    if (!herd.armed.await(MAX_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("herd threads did not start");
    }
    return herd;
  }

  /**
   * Releases the threads and returns the time from release until the last get returned ({@code
   * wall_ns}) and until the first did ({@code first_ns}).
   */
  Reply release() throws InterruptedException {
    long start = System.nanoTime();
    go.countDown();
    boolean returned = done.await(MAX_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    dismissed.countDown();
    if (!returned) {
      throw new IllegalStateException("herd gets did not return within " + MAX_WAIT_MILLIS + " ms");
    }
    if (failure.get() != null) {
      throw new IllegalStateException("a herd get failed: " + failure.get(), failure.get());
    }
    long last = start;
    long first = Long.MAX_VALUE;
    for (long end : ends) { // done.await made the threads' writes visible
      last = Math.max(last, end);
      first = Math.min(first, end);
    }
    return Reply.of().with("wall_ns", last - start).with("first_ns", first - start);
  }
}
