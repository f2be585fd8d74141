package dev.groupcache.example.it;

import dev.groupcache.example.testing.ExampleNode;
import dev.groupcache.example.testing.ExampleNode.Quote;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A Service's clients: {@code workers} threads ask for the symbols in turn, each request going to
 * the next ready pod, as kube-proxy spreads connections over ready endpoints. Bounded by a request
 * count and a time limit, and stoppable; every failed request is kept with its reason.
 */
final class LoadRun {
  private final Supplier<List<String>> ready;
  private final Function<String, ExampleNode> pods;
  private final List<String> symbols;
  private final int workers;
  private final long maxRequests;
  private final Duration limit;
  private final AtomicLong issued = new AtomicLong();
  private final AtomicLong answered = new AtomicLong();
  private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Set<String>> loadedBy = new ConcurrentHashMap<>();
  private volatile boolean stopped;

  LoadRun(Supplier<List<String>> ready, Function<String, ExampleNode> pods, List<String> symbols, int workers,
      long maxRequests, Duration limit) {
    this.ready = ready;
    this.pods = pods;
    this.symbols = List.copyOf(symbols);
    this.workers = workers;
    this.maxRequests = maxRequests;
    this.limit = limit;
  }

  /** Runs until the request count, the time limit or {@link #stop()}, whichever comes first. */
  void run() {
    long deadline = System.nanoTime() + limit.toNanos();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      Thread t = new Thread(() -> work(deadline), "load-" + w);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      try {
        t.join(limit.toMillis() + 30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stopped = true;
      }
    }
  }

  private void work(long deadline) {
    for (long n; !stopped && System.nanoTime() < deadline && (n = issued.getAndIncrement()) < maxRequests; ) {
      String symbol = symbols.get((int) (n % symbols.size()));
      List<String> targets = ready.get();
      if (targets.isEmpty()) {
        failures.add("no ready endpoint for " + symbol);
        continue;
      }
      String target = targets.get((int) ((n / symbols.size() + n) % targets.size()));
      try {
        Quote q = pods.apply(target).quote(symbol);
        if (!q.symbol().equals(symbol) || !q.servedBy().startsWith(target + ":")) {
          failures.add(target + " answered " + q + " for " + symbol);
        }
        loadedBy.computeIfAbsent(symbol, k -> ConcurrentHashMap.newKeySet()).add(q.loadedBy());
        answered.incrementAndGet();
      } catch (Exception e) {
        failures.add(target + " " + symbol + ": " + e);
      }
    }
  }

  void stop() {
    stopped = true;
  }

  long requests() {
    return answered.get() + failures.size();
  }

  List<String> failures() {
    return List.copyOf(failures);
  }

  /**
   * Which node loaded each symbol, as the answers said; an error if the answers for one symbol
   * named two (right only while no node leaves or joins).
   */
  Map<String, String> loadedBy() {
    Map<String, String> owners = new TreeMap<>();
    loadedBy.forEach((symbol, nodes) -> {
      if (nodes.size() != 1) {
        throw new AssertionError(symbol + " was loaded by " + nodes);
      }
      owners.put(symbol, nodes.iterator().next());
    });
    return owners;
  }

  void assertNoFailures() {
    if (!failures.isEmpty()) {
      throw new AssertionError(failures.size() + " of " + requests() + " requests failed, e.g. "
          + failures.subList(0, Math.min(10, failures.size())));
    }
  }
}
