package dev.groupcache.jcache;

import dev.groupcache.testing.ChildJvm;
import io.grpc.Grpc;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.integration.CacheLoader;

/**
 * A JVM of the cluster for the distributed tests, using only the JCache API, driven through
 * {@link ChildJvm}'s line protocol. Cache {@code c} maps strings to strings, reads through a loader
 * that takes 200 ms (3 s for keys starting with {@code slow}) and answers {@code "loaded:" + key},
 * and has a synchronous listener counting what it hears. SIGTERM closes the cache manager, as an
 * application's shutdown would.
 */
public final class CacheNodeMain {
  /** A system property: how long, in µs, keeping a near copy pauses between its check and the keeping. */
  static final String KEEP_WINDOW_MICROS = "test.keep-window-micros";
  /** A system property: whether the member creates cache {@code chaos} (see {@link ChaosLoad}) as it starts. */
  static final String CHAOS_CACHE = "test.chaos-cache";
  /**
   * A system property: whether the member serves the peer protocol from a gRPC server of its own,
   * as an application with {@code groupcache.serve=false} does, on {@code groupcache.port}.
   */
  static final String OWN_PEER_SERVER = "test.own-peer-server";
  static final AtomicInteger LOADS = new AtomicInteger();
  static final AtomicInteger CREATED = new AtomicInteger();
  static final AtomicInteger UPDATED = new AtomicInteger();
  static final AtomicInteger REMOVED = new AtomicInteger();

  /** Counts its calls; slow enough that concurrent gets overlap. */
  public static final class SlowLoader implements CacheLoader<String, String>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public String load(String key) {
      LOADS.incrementAndGet();
      try {
        Thread.sleep(key.startsWith("slow") ? 3_000 : 200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return "loaded:" + key;
    }

    @Override
    public java.util.Map<String, String> loadAll(Iterable<? extends String> keys) {
      java.util.Map<String, String> all = new java.util.HashMap<>();
      keys.forEach(k -> all.put(k, load(k)));
      return all;
    }
  }

  /** Counts the events it hears. */
  public static final class Counter implements CacheEntryCreatedListener<String, String>,
      CacheEntryUpdatedListener<String, String>, CacheEntryRemovedListener<String, String>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      events.forEach(e -> CREATED.incrementAndGet());
    }

    @Override
    public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      events.forEach(e -> UPDATED.incrementAndGet());
    }

    @Override
    public void onRemoved(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      events.forEach(e -> REMOVED.incrementAndGet());
    }
  }

  private CacheNodeMain() {}

  public static void main(String[] args) throws Exception {
    CacheManager manager = Caching.getCachingProvider().getCacheManager();
    Cache<String, String> cache = manager.createCache("c", new MutableConfiguration<String, String>()
        .setTypes(String.class, String.class)
        .setReadThrough(true)
        .setCacheLoaderFactory(FactoryBuilder.factoryOf(SlowLoader.class))
        .addCacheEntryListenerConfiguration(new MutableCacheEntryListenerConfiguration<>(
            FactoryBuilder.factoryOf(Counter.class), null, false, true)));
    long window = Long.getLong(KEEP_WINDOW_MICROS, 0);
    if (window > 0) { // widens the moment between a near copy's check and its keeping, where drops used to be lost
      cache.unwrap(GroupcacheCache.class).owners().nearCopies().keepHook(k -> LockSupport.parkNanos(window * 1_000));
    }
    if (Boolean.getBoolean(CHAOS_CACHE)) { // before "ready": peers' requests for it may come at once
      chaosCache(manager);
    }
    if (Boolean.getBoolean(OWN_PEER_SERVER)) { // as GroupcacheCacheManager.peerServerCredentials() shows
      GroupcacheCacheManager groupcache = manager.unwrap(GroupcacheCacheManager.class);
      Grpc.newServerBuilderForPort(Integer.getInteger("groupcache.port"), groupcache.peerServerCredentials())
          .addService(groupcache.peerService())
          .build()
          .start();
    }
    Runtime.getRuntime().addShutdownHook(new Thread(manager::close, "close-caches"));
    answer("ready");
    ChaosLoad chaos = null;
    GetLoop gets = null;
    AckedWriteLoad acked = null;
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String[] w = line.split(" ");
      try {
        answer(switch (w[0]) {
          case "put" -> {
            cache.put(w[1], w[2]);
            yield "ok";
          }
          case "get" -> "value " + cache.get(w[1]);
          case "owner-of" -> {
            @SuppressWarnings("unchecked") // unwrap takes a raw class; the cache is of strings
            GroupcacheCache<String, String> ours = cache.unwrap(GroupcacheCache.class);
            yield "owner " + ours.ownerOf(w[1]);
          }
          case "contains" -> "contains " + cache.containsKey(w[1]);
          case "remove" -> "removed " + cache.remove(w[1]);
          case "clear" -> {
            cache.clear();
            yield "ok";
          }
          case "get-later" -> {
            getLater(cache, w[1]);
            yield "started";
          }
          case "fill" -> fill(cache, w[1], Integer.parseInt(w[2]), Integer.parseInt(w[3]));
          case "put-big" -> {
            cache.put(w[1], w[2] + ":" + "x".repeat(Integer.parseInt(w[3])));
            yield "ok";
          }
          case "get-head" -> {
            String v = cache.get(w[1]);
            yield "head " + (v == null ? null : v.substring(0, v.indexOf(':')));
          }
          case "iterate" -> iterate(cache);
          case "remove-all" -> {
            cache.removeAll();
            yield "ok";
          }
          case "history" -> StaleReadHistory.run(cache, Path.of(w[1]), w[2], Long.parseLong(w[3]),
              Integer.parseInt(w[4]), Integer.parseInt(w[5]));
          case "herd" -> herd(cache, w[1], Integer.parseInt(w[2]));
          case "puts" -> puts(cache, w[1], Integer.parseInt(w[2]));
          case "chaos-start" -> {
            if (chaos != null) {
              throw new IllegalStateException("a chaos load runs already");
            }
            chaos = ChaosLoad.start(chaosCache(manager), Path.of(w[1]), Integer.parseInt(w[2]), Integer.parseInt(w[3]),
                Integer.parseInt(w[4]), w[5], Integer.parseInt(w[6]), Integer.parseInt(w[7]), Long.parseLong(w[8]),
                Long.parseLong(w[9]));
            yield "started";
          }
          case "gets-start" -> {
            if (gets != null) {
              throw new IllegalStateException("a get loop runs already");
            }
            gets = new GetLoop(cache, w[1], Integer.parseInt(w[2]), Long.parseLong(w[3]));
            yield "started";
          }
          case "gets-stop" -> {
            String done = gets.stop();
            gets = null;
            yield done;
          }
          case "acked-start" -> {
            acked = new AckedWriteLoad(chaosCache(manager), w[1], Integer.parseInt(w[2]), Integer.parseInt(w[3]),
                Integer.parseInt(w[4]), Integer.parseInt(w[5]), Long.parseLong(w[6]), Long.parseLong(w[7]),
                Long.parseLong(w[8]));
            yield "started";
          }
          case "acked-stop" -> acked.stop(Long.parseLong(w[1]));
          case "acked-check" -> acked.check();
          case "acked-ops" -> String.valueOf(acked.ops());
          case "peer-available" -> "peer-available " + manager.unwrap(GroupcacheCacheManager.class).cluster().node()
              .isAvailable(dev.groupcache.PeerAddress.parse(w[1]));
          case "now" -> String.valueOf(System.currentTimeMillis());
          case "backup-entries" -> String.valueOf(manager.unwrap(GroupcacheCacheManager.class).cluster().getBackupEntries());
          case "chaos-filled" -> "filled " + chaos.awaitFilled(Long.parseLong(w[1]));
          case "chaos-stop" -> {
            String done = "stopped " + chaos.stop();
            chaos = null;
            yield done;
          }
          case "available" -> available(manager, chaosCache(manager), w[1]);
          case "chaos-put" -> {
            chaosCache(manager).put(w[1], w[2]);
            yield "ok";
          }
          case "chaos-get" -> "value " + chaosCache(manager).get(w[1]);
          case "chaos-put-all" -> { // PREFIX N: keys PREFIXi, each its own value, in one putAll
            java.util.Map<String, String> entries = new java.util.LinkedHashMap<>();
            for (int i = 0; i < Integer.parseInt(w[2]); i++) {
              entries.put(w[1] + i, w[1] + i);
            }
            chaosCache(manager).putAll(entries);
            yield "ok";
          }
          case "chaos-remove-all" -> { // PREFIX N: keys PREFIXi in one removeAll
            java.util.Set<String> keys = new java.util.LinkedHashSet<>();
            for (int i = 0; i < Integer.parseInt(w[2]); i++) {
              keys.add(w[1] + i);
            }
            chaosCache(manager).removeAll(keys);
            yield "ok";
          }
          case "node-stats" -> {
            NodeStatistics n = manager.unwrap(GroupcacheCacheManager.class).nodeStatistics();
            yield "changes " + n.changesPublished() + " sent " + n.invalidationsSent() + " late " + n.lateInvalidations()
                + " expiries " + n.leaseExpiries() + " suspicions " + n.suspicions();
          }
          case "manager-uri" -> manager.getURI().toString();
          case "loads" -> String.valueOf(LOADS.get());
          case "events" -> CREATED.get() + " " + UPDATED.get() + " " + REMOVED.get();
          case "heap" -> String.valueOf(heapAfterGc());
          case "owner-requests" -> String.valueOf(
              manager.unwrap(GroupcacheCacheManager.class).nodeStatistics().ownerRequests());
          default -> "unknown " + w[0];
        });
      } catch (RuntimeException e) {
        answer("error " + e.getClass().getSimpleName() + " " + String.valueOf(e.getMessage()).replace('\n', ' '));
      }
    }
    manager.close();
  }

  /** The heap in use after full collections, in bytes: what the process keeps. */
  private static long heapAfterGc() {
    Runtime runtime = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return runtime.totalMemory() - runtime.freeMemory();
  }

  /**
   * Cache {@code chaos}, for {@link ChaosLoad}: strings to strings with near copies, no loader (a
   * get of an absent key answers null, so that every value read is one a write wrote) and no
   * listener; created on first use.
   */
  private static Cache<String, String> chaosCache(CacheManager manager) {
    Cache<String, String> chaos = manager.getCache("chaos", String.class, String.class);
    return chaos != null ? chaos : manager.createCache("chaos",
        new MutableConfiguration<String, String>().setTypes(String.class, String.class));
  }

  /**
   * Whether this member finds the owner of {@code key} available: not suspected, and a write
   * there, a remove of a key no one writes, is answered rather than failed. A read cannot tell, as it falls through to a
   * miss when the owner is unavailable.
   */
  private static String available(CacheManager manager, Cache<String, String> cache, String key) {
    dev.groupcache.Node node = manager.unwrap(GroupcacheCacheManager.class).cluster().node();
    dev.groupcache.PeerAddress owner = node.ownerOf(dev.groupcache.jcache.codec.Codecs.create(
        CacheNodeMain.class.getClassLoader(), "", 1 << 20)
        .encode(key));
    if (!node.isAvailable(owner)) { // its backup may answer for it: that is not the owner answering
      return "available false " + owner + " is suspected";
    }
    try {
      cache.remove(key);
      return "available true";
    } catch (javax.cache.CacheException e) {
      return "available false " + e.getClass().getSimpleName() + " " + String.valueOf(e.getMessage()).replace('\n', ' ');
    }
  }

  /** {@code n} threads get {@code key} at once; answers what they got. */
  private static String herd(Cache<String, String> cache, String key, int n) throws InterruptedException {
    CountDownLatch go = new CountDownLatch(1);
    List<String> got = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Thread t = new Thread(() -> {
        try {
          go.await();
          got.add(cache.get(key));
        } catch (InterruptedException | RuntimeException e) {
          got.add("error:" + e);
        }
      });
      t.start();
      threads.add(t);
    }
    go.countDown();
    for (Thread t : threads) {
      t.join(30_000);
    }
    long right = got.stream().filter(("loaded:" + key)::equals).count();
    return right + " of " + n;
  }

  /** Gets a key on a thread of its own; its answer, {@code later value ...} or {@code later error ...}, comes when it is done. */
  private static void getLater(Cache<String, String> cache, String key) {
    Thread t = new Thread(() -> {
      try {
        answer("later value " + cache.get(key));
      } catch (RuntimeException e) {
        answer("later error " + e.getClass().getSimpleName() + " " + String.valueOf(e.getMessage()).replace('\n', ' '));
      }
    }, "get-later");
    t.setDaemon(true);
    t.start();
  }

  /** Puts {@code prefix0..prefix(n-1)}, each value {@code bytes} characters long. */
  private static String fill(Cache<String, String> cache, String prefix, int n, int bytes) {
    for (int i = 0; i < n; i++) {
      String mark = prefix + i + ":";
      cache.put(prefix + i, mark + "x".repeat(Math.max(0, bytes - mark.length())));
    }
    return "ok";
  }

  /** Iterates the whole cache: the number of entries, and how many of them hold their own key's value. */
  private static String iterate(Cache<String, String> cache) {
    int entries = 0;
    int right = 0;
    for (Cache.Entry<String, String> e : cache) {
      entries++;
      right += e.getValue().startsWith(e.getKey() + ":") ? 1 : 0;
    }
    return entries + " " + right;
  }

  /** Puts k0..k(n-1) with prefix values; answers each outcome: o (ok) or x (exception). */
  private static String puts(Cache<String, String> cache, String prefix, int n) {
    StringBuilder outcomes = new StringBuilder();
    for (int i = 0; i < n; i++) {
      try {
        cache.put("k" + i, prefix + i);
        outcomes.append('o');
      } catch (javax.cache.CacheException e) {
        outcomes.append('x');
      }
    }
    return outcomes.toString();
  }

  /**
   * Gets one key over and over on a thread of its own, a get every millisecond, until stopped or
   * until {@code maxGets} gets or {@code maxMillis} have passed, whichever comes first; counts the
   * gets that answered {@code expected}, another value, or an exception.
   */
  private static final class GetLoop {
    private final Thread thread;
    private final AtomicInteger right = new AtomicInteger();
    private final AtomicInteger wrong = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile boolean stopping;
    private volatile boolean bounded;

    GetLoop(Cache<String, String> cache, String key, int maxGets, long maxMillis) {
      String expected = cache.get(key);
      long deadline = System.nanoTime() + maxMillis * 1_000_000;
      thread = new Thread(() -> {
        for (int i = 0; i < maxGets && !stopping; i++) {
          if (System.nanoTime() - deadline > 0) {
            break;
          }
          try {
            (java.util.Objects.equals(cache.get(key), expected) ? right : wrong).incrementAndGet();
          } catch (RuntimeException e) {
            failed.incrementAndGet();
            if (failures.size() < 5) {
              failures.add(e.toString().replace('\n', ' '));
            }
          }
          LockSupport.parkNanos(1_000_000);
        }
        bounded = !stopping;
      }, "get-loop");
      thread.setDaemon(true);
      thread.start();
    }

    /** Stops the loop: {@code gets <right> wrong <n> failed <n> <stopped|ran-out> [failures]}. */
    String stop() throws InterruptedException {
      stopping = true;
      thread.join();
      return "gets " + right + " wrong " + wrong + " failed " + failed + " " + (bounded ? "ran-out" : "stopped")
          + (failures.isEmpty() ? "" : " " + failures);
    }
  }

  static void answer(String s) {
    System.out.println(ChildJvm.ANSWER + s);
    System.out.flush();
  }
}
