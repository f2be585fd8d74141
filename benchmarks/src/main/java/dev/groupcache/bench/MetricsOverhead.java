package dev.groupcache.bench;

import dev.groupcache.ByteView;
import dev.groupcache.Group;
import dev.groupcache.GroupConfig;
import dev.groupcache.Node;
import dev.groupcache.jcache.GroupcacheCachingProvider;
import dev.groupcache.jcache.GroupcacheMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntUnaryOperator;
import java.util.function.Predicate;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;

/**
 * The cost of metrics: W1 (local hits, 2 threads), W2 (remote hits over loopback, 16 threads) and a
 * JCache get loop (owned hits, 2 threads), each measured unbound and then with {@link
 * GroupcacheMetrics} bound to a {@link PrometheusMeterRegistry} scraped every second, as Prometheus
 * would. Each pair runs in this JVM on the same nodes, unbound then bound, {@code ROUNDS} times on
 * fresh nodes; the best round of each is kept, so that a noisy moment does not decide. Prints
 * {@code metrics.<w>_unbound}, {@code metrics.<w>_bound} (ns per op per thread) and {@code
 * metrics.<w>_overhead} (percent, bound over unbound; the issue asks at most 3).
 *
 * <p>Run: {@code ./benchmarks/run metrics [--seconds S]} (default 5 s a measurement).
 */
public final class MetricsOverhead {
  private static final int KEYS = 10_000;
  private static final int ROUNDS = 3;
  private static final byte[] VALUE = new byte[1024];

  private final long millis;
  private final long[] best = new long[2];

  private MetricsOverhead(long millis) {
    this.millis = millis;
  }

  public static void main(String[] args) throws Exception {
    long seconds = 5;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--seconds") && i + 1 < args.length) {
        seconds = Long.parseLong(args[++i]);
      } else {
        throw new IllegalArgumentException("usage: metrics [--seconds S]");
      }
    }
    MetricsOverhead harness = new MetricsOverhead(TimeUnit.SECONDS.toMillis(seconds));
    harness.report("w1", harness.rounds(harness::w1));
    harness.report("w2", harness.rounds(harness::w2));
    harness.report("jcache_get", harness.rounds(harness::jcacheGet));
  }

  /** One unbound and one bound measurement on fresh nodes: ns per op per thread, in that order. */
  @FunctionalInterface
  private interface Pair {
    long[] measure() throws Exception;
  }

  private long[] rounds(Pair pair) throws Exception {
    long[] min = {Long.MAX_VALUE, Long.MAX_VALUE};
    for (int i = 0; i < ROUNDS; i++) {
      long[] r = pair.measure();
      min[0] = Math.min(min[0], r[0]);
      min[1] = Math.min(min[1], r[1]);
    }
    return min;
  }

  private void report(String name, long[] nanos) {
    System.out.printf(Locale.ROOT, "metrics.%s_unbound: %d ns/op%n", name, nanos[0]);
    System.out.printf(Locale.ROOT, "metrics.%s_bound: %d ns/op%n", name, nanos[1]);
    System.out.printf(Locale.ROOT, "metrics.%s_overhead: %.2f %%%n", name, 100.0 * (nanos[1] - nanos[0]) / nanos[0]);
  }

  /** W1: a node's own keys, held, read by 2 threads. */
  private long[] w1() throws Exception {
    try (Node node = node()) {
      node.setPeers(List.of(node.self().toString()));
      Group group = node.newGroup(GroupConfig.builder("w1").maxBytes(64L << 20).hotShare(0).build(),
          key -> ByteView.wrap(VALUE));
      ByteView[] keys = keys("w1-", k -> true);
      for (ByteView k : keys) {
        group.get(k);
      }
      return unboundThenBound(new GroupcacheMetrics(node), 2, i -> group.get(keys[i]).length(), keys.length);
    }
  }

  /** W2: keys node B owns and holds, read from node A, which keeps no hot copies, by 16 threads. */
  private long[] w2() throws Exception {
    try (Node a = node(); Node b = node()) {
      List<String> peers = List.of(a.self().toString(), b.self().toString());
      a.setPeers(peers);
      b.setPeers(peers);
      GroupConfig config = GroupConfig.builder("w2").maxBytes(64L << 20).hotShare(0).build();
      Group onA = a.newGroup(config, key -> ByteView.wrap(VALUE));
      Group onB = b.newGroup(config, key -> ByteView.wrap(VALUE));
      ByteView[] keys = keys("w2-", k -> a.ownerOf(k).equals(b.self()));
      for (ByteView k : keys) {
        onB.get(k);
      }
      return unboundThenBound(new GroupcacheMetrics(a), 16, i -> onA.get(keys[i]).length(), keys.length);
    }
  }

  /** A JCache cache's owned hits on a single-node manager, read by 2 threads. */
  private long[] jcacheGet() throws Exception {
    int port = freePort();
    Properties p = new Properties();
    p.setProperty("groupcache.discovery", "static");
    p.setProperty("groupcache.self", "127.0.0.1:" + port);
    p.setProperty("groupcache.static.peers", "127.0.0.1:" + port);
    p.setProperty("groupcache.port", String.valueOf(port));
    p.setProperty("groupcache.bind-host", "127.0.0.1");
    try (GroupcacheCachingProvider provider = new GroupcacheCachingProvider();
        CacheManager manager = provider.getCacheManager(URI.create("urn:metrics-overhead-" + port),
            MetricsOverhead.class.getClassLoader(), p)) {
      Cache<String, byte[]> cache = manager.createCache("jcache",
          new MutableConfiguration<String, byte[]>().setTypes(String.class, byte[].class));
      String[] keys = new String[KEYS];
      for (int i = 0; i < KEYS; i++) {
        keys[i] = "j-" + i;
        cache.put(keys[i], VALUE);
      }
      return unboundThenBound(new GroupcacheMetrics(manager), 2, i -> cache.get(keys[i]).length, KEYS);
    }
  }

  /** Measures {@code get} unbound, binds {@code metrics}, measures it again with scrapes going on. */
  private long[] unboundThenBound(GroupcacheMetrics metrics, int threads, IntUnaryOperator get, int keys)
      throws InterruptedException {
    loop(threads, get, keys, millis / 2); // warm-up
    long unbound = loop(threads, get, keys, millis);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    metrics.bindTo(registry);
    ScheduledExecutorService scraper = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "scraper");
      t.setDaemon(true);
      return t;
    });
    AtomicLong scraped = new AtomicLong();
    scraper.scheduleAtFixedRate(() -> scraped.addAndGet(registry.scrape().length()), 0, 1, TimeUnit.SECONDS);
    try {
      loop(threads, get, keys, millis / 2);
      long bound = loop(threads, get, keys, millis);
      if (scraped.get() == 0) {
        throw new IllegalStateException("the registry was never scraped");
      }
      return new long[] {unbound, bound};
    } finally {
      scraper.shutdownNow();
      registry.close();
    }
  }

  /** {@code threads} threads read the keys round robin from apart for {@code millis}: ns per op per thread. */
  private static long loop(int threads, IntUnaryOperator get, int keys, long millis) throws InterruptedException {
    long[] ops = new long[threads];
    long[] sink = new long[threads];
    List<Thread> running = new ArrayList<>();
    long start = System.nanoTime();
    long deadline = start + TimeUnit.MILLISECONDS.toNanos(millis);
    for (int t = 0; t < threads; t++) {
      int me = t;
      Thread thread = new Thread(() -> {
        int at = me * keys / threads;
        long n = 0;
        long digest = 0;
        do {
          for (int i = 0; i < 256; i++) {
            digest += get.applyAsInt(at);
            at = at + 1 == keys ? 0 : at + 1;
          }
          n += 256;
        } while (System.nanoTime() < deadline);
        ops[me] = n;
        sink[me] = digest;
      }, "get-" + t);
      thread.start();
      running.add(thread);
    }
    for (Thread thread : running) {
      thread.join();
    }
    long elapsed = System.nanoTime() - start;
    long total = 0;
    for (int t = 0; t < threads; t++) {
      total += ops[t];
      if (sink[t] == 42) {
        System.err.print(""); // keeps the digest alive
      }
    }
    return threads * elapsed / Math.max(1, total);
  }

  private static ByteView[] keys(String prefix, Predicate<ByteView> wanted) {
    List<ByteView> keys = new ArrayList<>(KEYS);
    for (int i = 0; keys.size() < KEYS; i++) {
      ByteView k = ByteView.of(prefix + i);
      if (wanted.test(k)) {
        keys.add(k);
      }
    }
    return keys.toArray(new ByteView[0]);
  }

  private static Node node() {
    return Node.builder().self("127.0.0.1").port(0).bindHost("127.0.0.1").build();
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
