package dev.groupcache.demo;

import dev.groupcache.ByteView;
import dev.groupcache.Group;
import dev.groupcache.GroupStats;
import dev.groupcache.Node;
import dev.groupcache.testing.ChildJvm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One node of the demo, in its own JVM: group {@code reports}, whose loader stands in for a 50 ms
 * backend call. Driven by {@link LocalCluster} through {@link ChildJvm}'s line protocol.
 */
public final class DemoNode {
  private final Node node = Node.builder().self("127.0.0.1").bindHost("127.0.0.1").port(0).build();
  private final Queue<String> loaded = new ConcurrentLinkedQueue<>();
  private final Group reports = node.newGroup("reports", 64 << 20, key -> {
    Thread.sleep(50); // the expensive backend call the cache saves
    loaded.add(key.toStringUtf8());
    return ByteView.of("report(" + key.toStringUtf8() + ")");
  });

  public static void main(String[] args) throws Exception {
    DemoNode demo = new DemoNode();
    answer("ready " + demo.node.self());
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null && !line.equals("exit"); ) {
      answer(demo.handle(line.split(" ")));
    }
    demo.node.close();
  }

  private String handle(String[] w) throws InterruptedException {
    switch (w[0]) {
      case "peers" -> {
        node.setPeers(Arrays.asList(w[1].split(",")));
        return "ok";
      }
      case "get" -> {
        long start = System.nanoTime();
        String value = reports.get(ByteView.of(w[1])).toStringUtf8();
        return String.format("%s %.1f", value, (System.nanoTime() - start) / 1e6);
      }
      case "owner" -> {
        return node.ownerOf(ByteView.of(w[1])).toString();
      }
      case "herd" -> {
        return herd(w[1], Integer.parseInt(w[2]));
      }
      case "loaded" -> {
        List<String> keys = new ArrayList<>();
        for (String k; (k = loaded.poll()) != null; ) {
          keys.add(k);
        }
        return String.join(",", keys);
      }
      case "stats" -> {
        GroupStats s = reports.stats();
        return String.format("gets=%d mainHits=%d hotHits=%d peerLoads=%d peerErrors=%d peerSkips=%d "
                + "localLoads=%d serverRequests=%d mainEntries=%d hotEntries=%d",
            s.gets(), s.mainHits(), s.hotHits(), s.peerLoads(), s.peerErrors(), s.peerSkips(),
            s.localLoads(), s.serverRequests(), s.main().entries(), s.hot().entries());
      }
      default -> {
        return "unknown command " + w[0];
      }
    }
  }

  /** {@code n} threads get {@code key} at the same instant; answers the wall time. */
  private String herd(String key, int n) throws InterruptedException {
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(n);
    AtomicInteger ok = new AtomicInteger();
    for (int i = 0; i < n; i++) {
      Thread t = new Thread(() -> {
        try {
          go.await();
          reports.get(ByteView.of(key));
          ok.incrementAndGet();
        } catch (InterruptedException | RuntimeException e) {
          // counted as not ok
        } finally {
          done.countDown();
        }
      });
      t.setDaemon(true);
      t.start();
    }
    long start = System.nanoTime();
    go.countDown();
    done.await(30, TimeUnit.SECONDS);
    return String.format("%d %.1f", ok.get(), (System.nanoTime() - start) / 1e6);
  }

  private static void answer(String s) {
    System.out.println(ChildJvm.ANSWER + s);
    System.out.flush();
  }
}
