package dev.groupcache.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Fires calls at the same instant, each on a thread of its own, and waits for them for a bounded
 * time. The threads wait at a gate until every call has one, so that the requests really overlap
 * (what a cache stampede is) instead of trickling out as threads happen to start.
 */
final class AtOnce implements AutoCloseable {
  private final int capacity;
  private final ExecutorService threads;

  /** For at most {@code capacity} calls at once: one thread each. */
  AtOnce(int capacity) {
    this.capacity = capacity;
    this.threads = Executors.newFixedThreadPool(capacity, r -> {
      Thread t = new Thread(r, "request");
      t.setDaemon(true); // a request stuck past its timeout must not keep the demo alive
      return t;
    });
  }

  /** What became of each call, in the calls' order, and the wall time from the gate's opening. */
  record Outcome<T>(List<Answer<T>> answers, Duration wall) {}

  /** A call's value, or why there is none. */
  record Answer<T>(T value, Throwable failure) {
    boolean ok() {
      return failure == null;
    }
  }

  <T> Outcome<T> run(List<? extends Callable<T>> calls, Duration timeout) throws InterruptedException {
    if (calls.size() > capacity) {
      throw new IllegalArgumentException(calls.size() + " calls for " + capacity + " threads");
    }
    CountDownLatch waiting = new CountDownLatch(calls.size());
    CountDownLatch gate = new CountDownLatch(1);
    List<Future<T>> futures = new ArrayList<>();
    for (Callable<T> call : calls) {
      futures.add(threads.submit(() -> {
        waiting.countDown();
        gate.await();
        return call.call();
      }));
    }
    if (!waiting.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      futures.forEach(f -> f.cancel(true));
      throw new IllegalStateException("the threads for " + calls.size() + " calls did not start within " + timeout);
    }
    long opened = System.nanoTime();
    gate.countDown();
    long deadline = opened + timeout.toNanos();
    List<Answer<T>> answers = new ArrayList<>();
    for (Future<T> future : futures) {
      try {
        answers.add(new Answer<>(future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS), null));
      } catch (ExecutionException e) {
        answers.add(new Answer<>(null, e.getCause()));
      } catch (TimeoutException e) {
        future.cancel(true);
        answers.add(new Answer<>(null, new TimeoutException("no answer within " + timeout.toSeconds() + " s")));
      }
    }
    return new Outcome<>(answers, Duration.ofNanos(System.nanoTime() - opened));
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
