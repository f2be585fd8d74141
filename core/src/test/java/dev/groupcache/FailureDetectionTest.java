package dev.groupcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.testing.FreePorts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Failure detection over real sockets: silent peers, refused connections, peers that come back,
 * and what is logged. Time bounds carry seconds of slack: they tell detection from its absence
 * (a caller's own 30 s deadline), not one scheduling from another.
 */
class FailureDetectionTest {
  private static final Duration SLACK = Duration.ofSeconds(2);
  private static final Duration LONG = Duration.ofSeconds(30);

  private final List<Node> nodes = new ArrayList<>();
  private final List<AutoCloseable> others = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    nodes.forEach(Node::close);
    for (AutoCloseable c : others) {
      c.close();
    }
  }

  private Node node(Node.Builder builder) {
    Node node = builder.build();
    nodes.add(node);
    node.registerService("echo", (key, request) -> CompletableFuture.completedFuture(
        ByteView.of(node.self() + ":" + request.toStringUtf8())));
    return node;
  }

  private static Node.Builder onLoopback(int port) {
    return Node.builder().self("127.0.0.1").bindHost("127.0.0.1").port(port);
  }

  /** A TCP server on a free loopback port that accepts connections and never sends a byte. */
  private PeerAddress silentPeer() throws IOException {
    ServerSocket silent = new ServerSocket();
    silent.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), FreePorts.take()));
    List<Socket> accepted = new CopyOnWriteArrayList<>();
    Thread acceptor = new Thread(() -> {
      try {
        while (true) {
          accepted.add(silent.accept());
        }
      } catch (IOException e) {
        // closed
      }
    }, "silent-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
    others.add(() -> {
      silent.close();
      for (Socket s : accepted) {
        s.close();
      }
    });
    return PeerAddress.of("127.0.0.1", silent.getLocalPort());
  }

  private static Throwable failureOf(CompletableFuture<?> f, Duration within) throws Exception {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> f.get(within.toMillis(), TimeUnit.MILLISECONDS));
    return e.getCause();
  }

  /** Polls {@code condition} every 10 ms until it holds; false if it did not within {@code bound}. */
  private static boolean within(Duration bound, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  private static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  @Test
  void aPeerThatAcceptsButNeverAnswersIsSuspectedAndWaitingCallsFailLongBeforeTheirDeadline() throws Exception {
    PeerAddress hung = silentPeer();
    Node node = node(onLoopback(0)); // default failure timeout
    Group g = node.newGroup(GroupConfig.builder("g").peerTimeout(LONG).build(),
        key -> ByteView.of("local:" + key.toStringUtf8()));
    node.setPeers(List.of(hung.toString())); // this node owns nothing: every key is the silent peer's
    Duration bound = node.failureTimeout().plus(SLACK);

    long start = System.nanoTime();
    CompletableFuture<ByteView> call = node.callOwner("echo", ByteView.of("k"), ByteView.of("hi"), LONG);
    CompletableFuture<ByteView> get = CompletableFuture.supplyAsync(() -> g.get(ByteView.of("g0"), LONG));
    Throwable failure = failureOf(call, LONG);
    long failedAfter = millisSince(start);
    assertInstanceOf(PeerUnavailableException.class, failure, String.valueOf(failure));
    assertTrue(failure.getMessage().contains("suspected"), failure.getMessage());
    assertTrue(failedAfter < bound.toMillis(), "a call with a 30 s deadline failed after " + failedAfter + " ms");
    System.out.println("silent peer: a call with a 30 s deadline failed after " + failedAfter + " ms (failure timeout "
        + node.failureTimeout().toMillis() + " ms)");
    assertEquals("local:g0", get.get(bound.toMillis(), TimeUnit.MILLISECONDS).toStringUtf8(),
        "a get waiting on the silent owner was not released");
    assertFalse(node.isAvailable(hung));
    assertEquals(Map.of(hung, false), node.peerAvailability());
    assertEquals(1, node.suspicions());

    // Suspected: later calls fail before they return, gets load here without asking.
    CompletableFuture<ByteView> later = node.callOwner("echo", ByteView.of("k2"), ByteView.of("hi"), LONG);
    assertTrue(later.isCompletedExceptionally(), "a call to a suspected owner must fail at once");
    assertInstanceOf(PeerUnavailableException.class, failureOf(later, Duration.ZERO));
    assertTrue(node.call(hung, "echo", ByteView.of("x"), LONG).isCompletedExceptionally(),
        "a call to a suspected member must fail at once");
    for (int i = 1; i <= 10; i++) {
      assertEquals("local:g" + i, g.get(ByteView.of("g" + i), LONG).toStringUtf8());
    }
    GroupStats s = g.stats();
    assertEquals(1, s.peerErrors(), s.toString());
    assertEquals(10, s.peerSkips(), s.toString());
  }

  @Test
  void aPortNothingListensOnIsSuspectedOnTheFirstFailedStream() throws Exception {
    PeerAddress dead = PeerAddress.of("127.0.0.1", FreePorts.take());
    Node node = node(onLoopback(0).failureTimeout(Duration.ofSeconds(10)));
    node.setPeers(List.of(dead.toString()));
    long start = System.nanoTime();
    Throwable failure = failureOf(node.callOwner("echo", ByteView.of("k"), ByteView.of("hi"), LONG), LONG);
    long failedAfter = millisSince(start);
    assertInstanceOf(PeerUnavailableException.class, failure, String.valueOf(failure));
    // Well under the 10 s failure timeout: the refusal itself is the evidence.
    assertTrue(failedAfter < SLACK.toMillis(), "failed after " + failedAfter + " ms");
    System.out.println("refused port: the first call failed after " + failedAfter + " ms");
    assertFalse(node.isAvailable(dead), "refused, yet not suspected");
    assertEquals(1, node.suspicions());
  }

  @Test
  void aSuspectedPeerThatStartsAnsweringIsBackWithoutARingChange() throws Exception {
    int port = FreePorts.take();
    Node a = node(onLoopback(0).failureTimeout(Duration.ofSeconds(1)));
    List<PeerAddress> toldBack = new CopyOnWriteArrayList<>();
    a.registerService("listens", new PeerHandler() {
      @Override
      public CompletableFuture<ByteView> handle(ByteView key, ByteView request) {
        return CompletableFuture.completedFuture(request);
      }

      @Override
      public void peerBack(PeerAddress peer) {
        toldBack.add(peer);
      }
    });
    PeerAddress late = PeerAddress.of("127.0.0.1", port);
    List<String> both = List.of(a.self().toString(), late.toString());
    a.setPeers(both);
    assertTrue(within(a.failureTimeout().plus(SLACK), () -> !a.isAvailable(late)),
        "nothing listens, yet not suspected");
    long ring = a.ringVersion();
    assertEquals(List.of(), toldBack);

    Node b = node(onLoopback(port));
    b.setPeers(both);
    long start = System.nanoTime();
    Duration interval = a.failureTimeout().dividedBy(4);
    assertTrue(within(interval.plus(SLACK), () -> a.isAvailable(late)), "still suspected after its start");
    long backAfter = millisSince(start);
    assertEquals(ring, a.ringVersion());
    ByteView key = keyOwnedBy(a, late);
    assertEquals(late + ":hi", a.callOwner("echo", key, ByteView.of("hi"), LONG).get(30, TimeUnit.SECONDS)
        .toStringUtf8());
    assertEquals(1, a.suspicions());
    assertTrue(within(SLACK, () -> toldBack.equals(List.of(late))), "services told it is back: " + toldBack);
    System.out.println("back " + backAfter + " ms after the peer started (probe interval " + interval.toMillis()
        + " ms)");
  }

  @Test
  void aPeerThatAnswersSlowlyButPongsIsNotSuspected() throws Exception {
    Duration timeout = Duration.ofSeconds(1);
    Node a = node(onLoopback(0).failureTimeout(timeout));
    Node b = node(onLoopback(0).failureTimeout(timeout));
    b.registerService("slow", (key, request) -> {
      CompletableFuture<ByteView> later = new CompletableFuture<>();
      CompletableFuture.delayedExecutor(3 * timeout.toMillis(), TimeUnit.MILLISECONDS)
          .execute(() -> later.complete(ByteView.of("done")));
      return later;
    });
    List<String> both = List.of(a.self().toString(), b.self().toString());
    a.setPeers(both);
    b.setPeers(both);
    // The answer takes three failure timeouts; acknowledgements and pongs show b alive meanwhile.
    assertEquals("done", a.call(b.self(), "slow", ByteView.of("x"), LONG).get(30, TimeUnit.SECONDS).toStringUtf8());
    assertTrue(a.isAvailable(b.self()));
    assertEquals(0, a.suspicions());
    assertEquals(0, b.suspicions());
  }

  /** What the failure detectors log from now until the test ends. */
  private List<LogRecord> detectorLog() {
    List<LogRecord> records = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        records.add(record);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger logger = Logger.getLogger(FailureDetector.class.getName());
    logger.addHandler(capture);
    others.add(() -> logger.removeHandler(capture));
    return records;
  }

  /** {@code node}'s lines among {@code records}, each as its level and message. */
  private static List<String> linesOf(Node node, List<LogRecord> records) {
    List<String> lines = new ArrayList<>();
    for (LogRecord r : records) {
      if (r.getMessage().startsWith(node.self() + ":")) {
        lines.add(r.getLevel() + " " + r.getMessage());
      }
    }
    return lines;
  }

  @Test
  void aPeerThatClosesInOrderIsLoggedAsLeavingNotAsTrouble() throws Exception {
    List<LogRecord> records = detectorLog();
    Node a = node(onLoopback(0));
    Node b = node(onLoopback(0));
    List<String> both = List.of(a.self().toString(), b.self().toString());
    a.setPeers(both);
    b.setPeers(both);
    assertEquals(b.self() + ":hi", a.call(b.self(), "echo", ByteView.of("hi"), LONG).get(30, TimeUnit.SECONDS)
        .toStringUtf8());
    b.close();
    assertTrue(within(a.failureTimeout().plus(SLACK), () -> !a.isAvailable(b.self())),
        "a closed peer is still taken for available");

    List<String> lines = linesOf(a, records);
    assertEquals(1, lines.size(), String.join("\n", lines));
    assertTrue(lines.get(0).startsWith(Level.INFO + " " + a.self() + ": suspected " + b.self() + ": "), lines.get(0));
    assertTrue(lines.get(0).contains("it is leaving"), lines.get(0));
  }

  @Test
  void oneLogLinePerChangeOfAPeersStateAndNoneForTheFailedCallsBetween() throws Exception {
    List<LogRecord> records = detectorLog();
    int port = FreePorts.take();
    Node a = node(onLoopback(0)); // the default failure timeout: no false suspicion on a busy machine
    Group g = a.newGroup(GroupConfig.builder("g").peerTimeout(LONG).build(), key -> ByteView.of("local"));
    PeerAddress peer = PeerAddress.of("127.0.0.1", port);
    List<String> both = List.of(a.self().toString(), peer.toString());
    a.setPeers(both);
    ByteView key = keyOwnedBy(a, peer);
    int failed = 0;
    for (int i = 0; i < 200; i++) {
      try {
        a.callOwner("echo", key, ByteView.of("hi"), LONG).get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        failed++;
      }
      g.get(ByteView.of("x" + i), LONG);
      if (i % 50 == 0) {
        Thread.sleep(a.failureTimeout().dividedBy(4).toMillis()); // lets the detector probe in between
      }
    }
    assertEquals(200, failed);
    Node b = node(onLoopback(port));
    b.setPeers(both);
    assertTrue(within(a.failureTimeout().plus(SLACK), () -> a.isAvailable(peer)), "not back");
    for (int i = 0; i < 20; i++) {
      assertEquals(peer + ":hi", a.callOwner("echo", key, ByteView.of("hi"), LONG).get(30, TimeUnit.SECONDS)
          .toStringUtf8());
    }
    a.setPeers(List.of(a.self().toString()));

    List<String> lines = linesOf(a, records);
    assertEquals(3, lines.size(), String.join("\n", lines));
    assertTrue(lines.get(0).startsWith(Level.WARNING + " " + a.self() + ": suspected " + peer + ": "), lines.get(0));
    assertTrue(lines.get(1).startsWith(Level.INFO + " " + a.self() + ": " + peer + " is back after "), lines.get(1));
    assertTrue(lines.get(2).startsWith(Level.INFO + " " + a.self() + ": " + peer + " is gone"), lines.get(2));
    assertEquals(1, a.suspicions());
    assertFalse(a.isAvailable(peer), "not a member any more");
  }

  @Test
  void theFailureTimeoutIsValidatedAndDefaultsToTwoSeconds() {
    IllegalArgumentException low = assertThrows(IllegalArgumentException.class,
        () -> Node.builder().failureTimeout(Duration.ofMillis(50)));
    assertTrue(low.getMessage().contains("PT0.05S"), low.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Node.builder().failureTimeout(Duration.ofMinutes(2)));
    Node node = node(onLoopback(0));
    assertEquals(Duration.ofSeconds(2), node.failureTimeout());
    assertTrue(node.isAvailable(node.self()));
    assertFalse(node.isAvailable(PeerAddress.of("127.0.0.1", 1)), "not a member");
    assertEquals(0, node.suspicions());
  }

  private static ByteView keyOwnedBy(Node node, PeerAddress owner) {
    for (int i = 0; ; i++) {
      ByteView key = ByteView.of("key" + i);
      if (node.ownerOf(key).equals(owner)) {
        return key;
      }
    }
  }
}
