package dev.groupcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.groupcache.proto.GetRequest;
import dev.groupcache.proto.PeerGrpc;
import dev.groupcache.testing.PeerChannels;
import dev.groupcache.testing.ProcessCluster;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Three nodes, each in its own JVM, on loopback. */
class MultiProcessClusterTest {
  private static final Duration LONG = Duration.ofSeconds(60);
  private static final Duration BOUND_SLACK = Duration.ofSeconds(2);

  @Test
  void everyNodeRoutesEachKeyToTheSameOwnerWhichAloneLoadsIt() {
    try (ProcessCluster cluster = new ProcessCluster(3)) {
      for (int k = 0; k < 30; k++) {
        String key = "route" + k;
        String owner = cluster.call(0, "owner " + key);
        assertEquals(owner, cluster.call(1, "owner " + key), "rings differ between JVMs");
        assertEquals(owner, cluster.call(2, "owner " + key), "rings differ between JVMs");
        for (int i = 0; i < 3; i++) {
          assertEquals("value v:" + key, cluster.call(i, "get " + key));
        }
        int ownerIndex = cluster.indexOf(owner.substring("owner ".length()));
        for (int i = 0; i < 3; i++) {
          assertEquals("loads " + (i == ownerIndex ? 1 : 0), cluster.call(i, "loads " + key), key + " at node " + i);
        }
      }
    }
  }

  @Test
  void aHerdOfThreeHundredGetsOnThreeNodesCausesOneLoad() {
    try (ProcessCluster cluster = new ProcessCluster(3, "--load-ms", "50")) {
      for (int i = 0; i < 3; i++) {
        assertEquals("armed", cluster.call(i, "arm herd 100"));
      }
      for (int i = 0; i < 3; i++) {
        cluster.node(i).send("fire");
      }
      for (int i = 0; i < 3; i++) {
        assertEquals("fired ok=100 errors=0", cluster.node(i).await("fire", LONG));
      }
      int loads = 0;
      for (int i = 0; i < 3; i++) {
        loads += Integer.parseInt(cluster.call(i, "loads herd").substring("loads ".length()));
      }
      assertEquals(1, loads, "loader calls in the whole cluster");
    }
  }

  @Test
  void aPeerKilledMidTrafficCostsNoFailedGet() throws Exception {
    try (ProcessCluster cluster = new ProcessCluster(3, "--load-ms", "1")) {
      cluster.node(0).send("traffic 2000 4000");
      cluster.node(1).send("traffic 2000 4000");
      Thread.sleep(1_500);
      cluster.node(2).kill(); // SIGKILL: no goodbye, connections reset
      for (int i = 0; i < 2; i++) {
        String result = cluster.node(i).await("traffic", LONG);
        assertTrue(result.contains(" failed=0 "), "node " + i + ": " + result);
        long ok = Long.parseLong(result.split(" ")[1].substring("ok=".length()));
        assertTrue(ok > 1000, "node " + i + " did little: " + result);
        assertTrue(cluster.stat(i, "peerErrors") >= 1, "node " + i + " never noticed the death");
        assertTrue(cluster.stat(i, "peerSkips") >= 1, "node " + i + " kept asking a dead peer");
      }
    }
  }

  @Test
  void aStoppedPeerIsSuspectedWithinTheFailureTimeoutCostsNoFailedGetAndIsBackOnceContinued() throws Exception {
    long failureTimeoutMillis = 2_000; // the default
    // Gets would wait 30 s for the stopped owner: only suspicion can make them fail over sooner.
    try (ProcessCluster cluster = new ProcessCluster(3, "--load-ms", "1", "--peer-timeout-ms", "30000",
        "--failure-timeout-ms", Long.toString(failureTimeoutMillis))) {
      String stopped = cluster.address(2);
      cluster.call(0, "get warm"); // links up
      // Cold JVMs on a busy machine may answer their first pings late: wait for that to pass.
      awaitAnswer(cluster, 0, "available " + stopped, "available true", LONG, System.nanoTime());
      long stoppedAt = System.nanoTime();
      signal("STOP", cluster.node(2).pid());
      try {
        // Node 0 waits on nothing: its pings alone find the silence.
        awaitAnswer(cluster, 0, "available " + stopped, "available false",
            Duration.ofMillis(failureTimeoutMillis).plus(BOUND_SLACK), stoppedAt);
        String result = cluster.call(0, "traffic 500 2000");
        assertTrue(result.contains(" failed=0 "), result);
        assertEquals(0, cluster.stat(0, "peerErrors"), "a get waited on the suspected peer");
        assertTrue(cluster.stat(0, "peerSkips") >= 50, "the stopped peer's keys must be loaded here without asking");
        assertEquals("available false", cluster.call(0, "available " + stopped));
      } finally {
        signal("CONT", cluster.node(2).pid());
      }
      long continuedAt = System.nanoTime();
      awaitAnswer(cluster, 0, "available " + stopped, "available true",
          Duration.ofMillis(failureTimeoutMillis / 4).plus(BOUND_SLACK), continuedAt);
      assertTrue(cluster.stat(0, "suspicions") >= 1);
      assertEquals("value v:after", cluster.call(2, "get after"));
    }
  }

  /** Asks node {@code i} every 20 ms until it answers {@code expected}, within {@code bound} of {@code sinceNanos}. */
  private static void awaitAnswer(ProcessCluster cluster, int i, String command, String expected, Duration bound,
      long sinceNanos) throws InterruptedException {
    String answer;
    while (!(answer = cluster.call(i, command)).equals(expected)) {
      long elapsed = System.nanoTime() - sinceNanos;
      assertTrue(elapsed < bound.toNanos(), "node " + i + " still answers '" + answer + "' to '" + command + "' after "
          + TimeUnit.NANOSECONDS.toMillis(elapsed) + " ms");
      Thread.sleep(20);
    }
    long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos);
    assertTrue(elapsed < bound.toMillis(), "'" + expected + "' only after " + elapsed + " ms");
    System.out.println("node " + i + ": '" + expected + "' after " + elapsed + " ms");
  }

  @Test
  void nodesWithDifferentRingsAnswerEachOtherWithoutPingPong() {
    try (ProcessCluster cluster = new ProcessCluster(3, "--load-ms", "1", "--peer-timeout-ms", "5000")) {
      String a = cluster.address(0);
      String b = cluster.address(1);
      String c = cluster.address(2);
      cluster.call(0, "peers " + a + "," + b);
      cluster.call(1, "peers " + a + "," + c);
      // A key A thinks B owns while B thinks A owns.
      String key = null;
      for (int i = 0; key == null && i < 200; i++) {
        if (cluster.call(0, "owner skew" + i).equals("owner " + b)
            && cluster.call(1, "owner skew" + i).equals("owner " + a)) {
          key = "skew" + i;
        }
      }
      assertTrue(key != null, "no skewed key found");
      assertEquals("value v:" + key, cluster.call(0, "get " + key));
      assertEquals(0, cluster.stat(0, "peerErrors"), "a bounce would end in A's deadline");
      assertEquals(1, cluster.stat(0, "peerLoads"));
      assertEquals(1, cluster.stat(0, "ringSkew"));
      assertEquals(1, cluster.stat(1, "serverRequests"));
      assertEquals(1, cluster.stat(1, "ringSkew"));
      assertEquals(0, cluster.stat(1, "peerLoads") + cluster.stat(1, "peerErrors"), "B forwarded");
      assertEquals("loads 1", cluster.call(1, "loads " + key));
      assertEquals("loads 0", cluster.call(0, "loads " + key));
    }
  }

  @Test
  void badRequestsAreAnsweredPreciselyWhileTheClusterKeepsServing() throws Exception {
    try (ProcessCluster cluster = new ProcessCluster(3)) {
      String target = cluster.address(1);
      int port = Integer.parseInt(target.substring(target.lastIndexOf(':') + 1));
      ManagedChannel channel = PeerChannels.asMember("127.0.0.1", port, target); // as the member itself
      try {
        PeerGrpc.PeerBlockingStub stub = PeerGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        assertStatus(Status.Code.NOT_FOUND, () -> stub.get(get("no-such-group", "k")));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> stub.get(get("g", "x".repeat(100 << 10))));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> stub.get(get("g", "x".repeat(2 << 20))));
        // over what a server reads in one message: a batch and a request of a key and two values
        assertStatus(Status.Code.RESOURCE_EXHAUSTED, () -> stub.get(get("g", "x".repeat(12 << 20))));
        byte[] junk = new byte[64 << 10];
        new Random(1).nextBytes(junk);
        try (Socket socket = new Socket("127.0.0.1", port)) {
          socket.setSoTimeout(30_000);
          OutputStream out = socket.getOutputStream();
          out.write(junk);
          out.flush();
          InputStream in = socket.getInputStream();
          byte[] buffer = new byte[4096];
          for (int n = 0, total = 0; n >= 0 && total < (1 << 20); total += n) {
            n = in.read(buffer);
          }
        } catch (java.net.SocketException reset) {
          // the server may reset rather than close: either way it hung up on the junk
        }
        assertEquals("v:k", stub.get(get("g", "k")).getValue().toStringUtf8());
      } finally {
        channel.shutdownNow();
      }
      assertTrue(cluster.node(1).isAlive());
      for (int i = 0; i < 3; i++) {
        assertEquals("value v:after" + i, cluster.call(i, "get after" + i));
      }
      assertNotEquals(0, cluster.stat(1, "serverRequests"));
    }
  }

  private static void assertStatus(Status.Code code, Runnable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
    assertEquals(code, e.getStatus().getCode(), e.toString());
  }

  private static GetRequest get(String group, String key) {
    return GetRequest.newBuilder().setGroup(group).setKey(ByteString.copyFromUtf8(key)).build();
  }

  private static void signal(String signal, long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
    assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + signal + " failed");
  }
}
