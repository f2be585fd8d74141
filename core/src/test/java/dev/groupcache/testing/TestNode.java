package dev.groupcache.testing;

import dev.groupcache.ByteView;
import dev.groupcache.Group;
import dev.groupcache.GroupConfig;
import dev.groupcache.GroupStats;
import dev.groupcache.Node;
import dev.groupcache.PeerAddress;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A node in its own JVM for the multi-process tests, driven through {@link ChildJvm}'s line
 * protocol. It serves group {@code g}, whose loader returns {@code "v:" + key} after
 * {@code --load-ms} milliseconds, and throws for keys starting with {@code fail:}.
 *
 * <p>Commands (one per line), each answered by one {@code "> "} line:
 * <pre>
 * peers a,b,c              set the membership                       > ok
 * get KEY                  one get                                  > value V | error TYPE MESSAGE
 * owner KEY                the owner on this node's ring            > owner HOST:PORT
 * available HOST:PORT      whether this node would ask that peer    > available true|false
 * suspected                the members it would not ask             > suspected none|HOST:PORT,...
 * await-peers              until every other member has answered
 *                          a call (at most 60 s)                    > peers-ready | peers-not-ready ...
 * arm KEY N                N threads wait to get KEY                > armed
 * fire                     release them, wait for all               > fired ok=N errors=M
 * traffic KEYS MILLIS      4 threads get random keys t0..t(KEYS-1)
 *                          until MILLIS pass (at most 1e6 gets)     > traffic ok=N failed=M first=...
 * loads KEY                loader calls for KEY on this node        > loads N
 * stats                    the group's counters                     > stats name=value ...
 * exit                                                              (exits)
 * </pre>
 */
public final class TestNode {
  private final Node node;
  private final Group group;
  private final Map<String, AtomicInteger> loaderCalls = new ConcurrentHashMap<>();
  private final List<Thread> armed = new ArrayList<>();
  private CountDownLatch trigger;
  private AtomicInteger armedOk;
  private AtomicInteger armedErrors;

  private TestNode(long loadMillis, long peerTimeoutMillis, long failureTimeoutMillis) {
    node = Node.builder().self("127.0.0.1").bindHost("127.0.0.1").port(0)
        .failureTimeout(Duration.ofMillis(failureTimeoutMillis)).build();
    group = node.newGroup(GroupConfig.builder("g")
        .maxBytes(16 << 20)
        .peerTimeout(Duration.ofMillis(peerTimeoutMillis))
        .build(), key -> {
          String k = key.toStringUtf8();
          loaderCalls.computeIfAbsent(k, x -> new AtomicInteger()).incrementAndGet();
          if (k.startsWith("fail:")) {
            throw new IOException("backend refused " + k);
          }
          Thread.sleep(loadMillis);
          return ByteView.of("v:" + k);
        });
    node.registerService("ready", (key, request) -> CompletableFuture.completedFuture(ByteView.of("ready")));
  }

  public static void main(String[] args) throws Exception {
    long loadMillis = 20;
    long peerTimeoutMillis = 2_000;
    long failureTimeoutMillis = 2_000;
    for (int i = 0; i < args.length; i += 2) {
      switch (args[i]) {
        case "--load-ms" -> loadMillis = Long.parseLong(args[i + 1]);
        case "--peer-timeout-ms" -> peerTimeoutMillis = Long.parseLong(args[i + 1]);
        case "--failure-timeout-ms" -> failureTimeoutMillis = Long.parseLong(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    TestNode t = new TestNode(loadMillis, peerTimeoutMillis, failureTimeoutMillis);
    answer("ready " + t.node.self());
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String[] w = line.trim().split(" ", 3);
      if (w[0].equals("exit")) {
        break;
      }
      try {
        answer(t.handle(w));
      } catch (RuntimeException | InterruptedException e) {
        answer("failed " + e);
      }
    }
    t.node.close();
    System.exit(0);
  }

  private String handle(String[] w) throws InterruptedException {
    switch (w[0]) {
      case "peers":
        node.setPeers(Arrays.asList(w[1].split(",")));
        return "ok";
      case "get":
        try {
          return "value " + group.get(ByteView.of(w[1])).toStringUtf8();
        } catch (RuntimeException e) {
          return "error " + e.getClass().getSimpleName() + " " + e.getMessage();
        }
      case "owner":
        return "owner " + node.ownerOf(ByteView.of(w[1]));
      case "available":
        return "available " + node.isAvailable(PeerAddress.parse(w[1]));
      case "await-peers":
        return awaitPeers();
      case "suspected":
        List<String> suspected = new ArrayList<>();
        node.peerAvailability().forEach((peer, available) -> {
          if (!available) {
            suspected.add(peer.toString());
          }
        });
        return "suspected " + (suspected.isEmpty() ? "none" : String.join(",", suspected));
      case "arm":
        return arm(w[1], Integer.parseInt(w[2]));
      case "fire":
        trigger.countDown();
        for (Thread thread : armed) {
          thread.join(30_000);
        }
        armed.clear();
        return "fired ok=" + armedOk.get() + " errors=" + armedErrors.get();
      case "traffic":
        return traffic(Integer.parseInt(w[1]), Long.parseLong(w[2]));
      case "loads":
        AtomicInteger n = loaderCalls.get(w[1]);
        return "loads " + (n == null ? 0 : n.get());
      case "stats":
        GroupStats s = group.stats();
        return "stats gets=" + s.gets() + " loads=" + s.loads() + " localLoads=" + s.localLoads()
            + " peerLoads=" + s.peerLoads() + " peerErrors=" + s.peerErrors()
            + " peerSkips=" + s.peerSkips() + " serverRequests=" + s.serverRequests()
            + " ringSkew=" + s.ringSkew() + " loadsDeduplicated=" + s.loadsDeduplicated()
            + " suspicions=" + node.suspicions();
      default:
        return "unknown command " + w[0];
    }
  }

  /**
   * Calls every other member until each has answered once: its process, and the path from it to
   * this node's, are past their cold start. Calls, unlike gets, leave the group's counters alone.
   */
  private String awaitPeers() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (PeerAddress peer : node.peers()) {
      boolean answered = peer.equals(node.self());
      while (!answered) {
        try {
          node.call(peer, "ready", ByteView.of("?"), Duration.ofSeconds(10)).get(20, TimeUnit.SECONDS);
          answered = true;
        } catch (ExecutionException | TimeoutException e) {
          if (System.nanoTime() - deadline > 0) {
            return "peers-not-ready " + peer + ": " + e;
          }
          Thread.sleep(50); // suspected while cold: asked again once it answers a ping
        }
      }
    }
    return "peers-ready";
  }

  private String arm(String key, int n) {
    trigger = new CountDownLatch(1);
    armedOk = new AtomicInteger();
    armedErrors = new AtomicInteger();
    CountDownLatch ready = new CountDownLatch(n);
    for (int i = 0; i < n; i++) {
      Thread thread = new Thread(() -> {
        ready.countDown();
        try {
          trigger.await();
          if (group.get(ByteView.of(key)).toStringUtf8().equals("v:" + key)) {
            armedOk.incrementAndGet();
          } else {
            armedErrors.incrementAndGet();
          }
        } catch (InterruptedException | RuntimeException e) {
          armedErrors.incrementAndGet();
        }
      });
      thread.start();
      armed.add(thread);
    }
    try {
      ready.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return "armed";
  }

  private String traffic(int keys, long millis) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicReference<String> first = new AtomicReference<>("none");
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread thread = new Thread(() -> {
        for (int i = 0; i < 250_000 && System.nanoTime() < end; i++) {
          String key = "t" + ThreadLocalRandom.current().nextInt(keys);
          try {
            if (group.get(ByteView.of(key)).toStringUtf8().equals("v:" + key)) {
              ok.incrementAndGet();
            } else {
              failed.incrementAndGet();
              first.compareAndSet("none", "wrong value for " + key);
            }
          } catch (RuntimeException e) {
            failed.incrementAndGet();
            first.compareAndSet("none", e.toString().replace('\n', ' '));
          }
        }
      });
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join(millis + 30_000);
    }
    return "traffic ok=" + ok.get() + " failed=" + failed.get() + " first=" + first.get();
  }

  private static void answer(String s) {
    System.out.println(ChildJvm.ANSWER + s);
    System.out.flush();
  }
}
