package dev.groupcache.bench.node;

import dev.groupcache.testing.ChildJvm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The child side of the driver's line protocol ({@link ChildJvm}): reads one command per stdin line,
 * runs it against this JVM's {@link BenchNode} and answers with one {@code "> "} line. The same
 * commands drive every system, so the workload code is shared and only {@link BenchNode} differs.
 *
 * <pre>
 * join ID,ID,...                                  become a member of the cluster
 * open NAME key=value...                          open an empty cache ({@link CacheSpec})
 * preload CACHE PREFIX N                          fill the first N keys PREFIXi this node owns
 * local-hit CACHE PREFIX N THREADS WARMUP_MS MS   W1 on those keys
 * remote-hit CACHE PREFIX N OWNER THREADS WARMUP_MS MS   W2 on the keys OWNER owns
 * herd-arm CACHE KEY THREADS / herd-go            W3
 * mix CACHE zipf|uniform THREADS SEED MS          W4, W5
 * near-hit CACHE PREFIX N OWNER THREADS WARMUP_MS MS     J1: W1's loop on the keys OWNER owns
 * get-put CACHE PREFIX N THREADS WARMUP_MS MS [replaces] J5: 80 % gets, 20 % puts (and replaces)
 * puts CACHE PREFIX N THREADS VALUE_BYTES MAX_MS   W6: N puts of new keys PREFIXi, one at a time per thread
 * bulk CACHE PREFIX N BATCH MAX_MS [remove]       J6: N new keys in putAll calls of BATCH, or puts if 0
 *                                                 (and, untimed, removeAll of them after)
 * loads                                           loader calls in this JVM so far
 * stats CACHE                                     the system's own counters for the cache
 * quit                                            close the node and exit
 * </pre>
 *
 * <p>Nothing else may write to stdout: it is the protocol. Diagnostics go to stderr.
 */
public final class CommandLoop {
  /** A child outlives no benchmark run: if its driver vanished without closing stdin, it halts. */
  private static final Duration MAX_LIFETIME = Duration.ofHours(2);
  private static final int MAX_COMMANDS = 100_000;

  private final BenchNode node;
  private final PrintStream out;
  private final Map<String, BenchCache<?>> caches = new HashMap<>();
  private HerdRun herd;

  private CommandLoop(BenchNode node, PrintStream out) {
    this.node = node;
    this.out = out;
  }

  /**
   * Starts the node, announces it with {@code ready id=...}, then serves commands until
   * {@code quit} or the end of stdin, and exits.
   */
  public static void serve(Callable<BenchNode> startNode) {
    PrintStream out = System.out;
    startWatchdog();
    BenchNode node;
    try {
      node = startNode.call();
    } catch (Throwable t) {
      t.printStackTrace();
      out.println(ChildJvm.ANSWER + Reply.error(t));
      out.flush();
      System.exit(1);
      return;
    }
    new CommandLoop(node, out).loop();
    System.exit(0);
  }

  private void loop() {
    answer(Reply.of().with("id", node.id()).format());
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      String line;
      for (int i = 0; i < MAX_COMMANDS && (line = in.readLine()) != null; i++) {
        if (line.isBlank()) {
          continue;
        }
        String[] words = line.trim().split(" +");
        if (words[0].equals("quit")) {
          node.close();
          answer("bye");
          return;
        }
        String answer;
        try {
          answer = execute(words).format();
        } catch (Throwable t) {
          System.err.println("command failed: " + line);
          t.printStackTrace();
          answer = Reply.error(t);
        }
        answer(answer);
      }
    } catch (Exception e) {
      e.printStackTrace();
    }
    node.close();
  }

  private Reply execute(String[] w) throws Exception {
    switch (w[0]) {
      case "join":
        node.join(List.of(w[1].split(",")));
        return Reply.of();
      case "open": {
        CacheSpec spec = CacheSpec.parse(w, 1);
        if (caches.containsKey(spec.name())) {
          throw new IllegalStateException("cache " + spec.name() + " is already open");
        }
        caches.put(spec.name(), node.open(spec));
        return Reply.of();
      }
      case "preload":
        return preload(cache(w[1]), w[2], Integer.parseInt(w[3]), node.id());
      case "local-hit": {
        BenchCache<?> c = cache(w[1]);
        return LocalHitRun.run(c, OwnedKeys.select(c, w[2], Integer.parseInt(w[3]), node.id()),
            Integer.parseInt(w[4]), Long.parseLong(w[5]), Long.parseLong(w[6]));
      }
      case "remote-hit": {
        BenchCache<?> c = cache(w[1]);
        if (w[4].equals(node.id())) {
          throw new IllegalArgumentException("remote-hit needs another node's keys, not this node's");
        }
        return RemoteHitRun.run(c, OwnedKeys.select(c, w[2], Integer.parseInt(w[3]), w[4]),
            Integer.parseInt(w[5]), Long.parseLong(w[6]), Long.parseLong(w[7]));
      }
      case "herd-arm":
        if (herd != null) {
          throw new IllegalStateException("a herd is already armed");
        }
        herd = HerdRun.arm(cache(w[1]), w[2], Integer.parseInt(w[3]));
        return Reply.of();
      case "herd-go": {
        if (herd == null) {
          throw new IllegalStateException("no herd armed");
        }
        HerdRun h = herd;
        herd = null;
        return h.release();
      }
      case "mix":
        return MixRun.run(cache(w[1]), w[2], Integer.parseInt(w[3]), Long.parseLong(w[4]),
            Long.parseLong(w[5]));
      case "get-put":
        return GetPutRun.run(cache(w[1]), w[2], Integer.parseInt(w[3]), Integer.parseInt(w[4]),
            Long.parseLong(w[5]), Long.parseLong(w[6]), w.length > 7 && w[7].equals("replaces"));
      case "near-hit": {
        BenchCache<?> c = node.nearView(w[1], cache(w[1]));
        if (w[4].equals(node.id())) {
          throw new IllegalArgumentException("near-hit needs another node's keys, not this node's");
        }
        return LocalHitRun.run(c, OwnedKeys.select(c, w[2], Integer.parseInt(w[3]), w[4]),
            Integer.parseInt(w[5]), Long.parseLong(w[6]), Long.parseLong(w[7]));
      }
      case "bulk":
        return BulkRun.run(cache(w[1]), w[2], Integer.parseInt(w[3]), Integer.parseInt(w[4]),
            Long.parseLong(w[5]), w.length > 6 && w[6].equals("remove"));
      case "puts":
        return PutRun.run(cache(w[1]), w[2], Integer.parseInt(w[3]), Integer.parseInt(w[4]),
            Integer.parseInt(w[5]), Long.parseLong(w[6]));
      case "loads":
        return Reply.of().with("loads", LoaderCalls.total());
      case "heap": { // the heap this JVM keeps: used after full collections
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
          System.gc();
        }
        return Reply.of().with("heap_bytes", runtime.totalMemory() - runtime.freeMemory());
      }
      case "stats": {
        Reply r = Reply.of();
        cache(w[1]).stats().forEach(r::with);
        return r;
      }
      default:
        throw new IllegalArgumentException("unknown command: " + Arrays.toString(w));
    }
  }

  private static <K> Reply preload(BenchCache<K> cache, String prefix, int n, String self) {
    List<String> texts = OwnedKeys.select(cache, prefix, n, self);
    for (String t : texts) {
      cache.preload(cache.key(t), t);
    }
    return Reply.of().with("keys", texts.size());
  }

  private BenchCache<?> cache(String name) {
    BenchCache<?> c = caches.get(name);
    if (c == null) {
      throw new IllegalArgumentException("no open cache " + name);
    }
    return c;
  }

  private void answer(String text) {
    out.println(ChildJvm.ANSWER + text);
    out.flush();
  }

  private static void startWatchdog() {
    Thread t = new Thread(() -> {
      try {
        Thread.sleep(MAX_LIFETIME.toMillis());
        System.err.println("no driver for " + MAX_LIFETIME + ": halting");
        Runtime.getRuntime().halt(3);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "watchdog");
    t.setDaemon(true);
    t.start();
  }
}
