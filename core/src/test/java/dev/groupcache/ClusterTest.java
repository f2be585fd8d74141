package dev.groupcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.testing.FreePorts;
import io.grpc.Context;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Three nodes in this JVM, talking over real gRPC on loopback. */
class ClusterTest {
  private final List<Node> nodes = new ArrayList<>();
  private final List<Group> groups = new ArrayList<>();
  /** Loader calls per node index and key. */
  private final Map<String, AtomicInteger> loads = new ConcurrentHashMap<>();

  @AfterEach
  void close() {
    nodes.forEach(Node::close);
  }

  /** A node serving on 127.0.0.1, on a free port unless told another. */
  private static Node.Builder onLoopback() {
    return Node.builder().self("127.0.0.1").bindHost("127.0.0.1").port(0);
  }

  private void start(int n, GroupConfig config) {
    for (int i = 0; i < n; i++) {
      Node node = onLoopback().build();
      int index = i;
      groups.add(node.newGroup(config, key -> {
        String k = key.toStringUtf8();
        loads.computeIfAbsent(index + "/" + k, x -> new AtomicInteger()).incrementAndGet();
        if (k.startsWith("fail:")) {
          throw new IOException("backend refused " + k);
        }
        return ByteView.of("v:" + k);
      }));
      nodes.add(node);
    }
    List<String> peers = nodes.stream().map(node -> node.self().toString()).toList();
    nodes.forEach(node -> node.setPeers(peers));
  }

  private int loadsOf(String key) {
    int total = 0;
    for (int i = 0; i < nodes.size(); i++) {
      AtomicInteger n = loads.get(i + "/" + key);
      total += n == null ? 0 : n.get();
    }
    return total;
  }

  private int indexOf(PeerAddress address) {
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i).self().equals(address)) {
        return i;
      }
    }
    throw new AssertionError(address + " is not a node");
  }

  /** A key whose owner, on node 0's ring, is node {@code owner}. */
  private String keyOwnedBy(int owner, String prefix) {
    for (int i = 0; ; i++) {
      String key = prefix + i;
      if (nodes.get(0).ownerOf(ByteView.of(key)).equals(nodes.get(owner).self())) {
        return key;
      }
    }
  }

  @Test
  void everyKeyIsLoadedOnceAndOnlyByItsOwner() {
    start(3, GroupConfig.builder("g").hotShare(0).build());
    int[] owned = new int[3];
    for (int k = 0; k < 300; k++) {
      String key = "k" + k;
      for (Group g : groups) {
        assertEquals("v:" + key, g.get(ByteView.of(key)).toStringUtf8());
      }
      int owner = indexOf(nodes.get(0).ownerOf(ByteView.of(key)));
      owned[owner]++;
      assertEquals(1, loadsOf(key), key);
      assertEquals(1, loads.get(owner + "/" + key).get(), key + " not loaded by its owner");
    }
    for (int i = 0; i < 3; i++) {
      GroupStats s = groups.get(i).stats();
      assertEquals(300 - owned[i], s.peerLoads(), "every key owned elsewhere fetched once: " + s);
      assertEquals(2 * owned[i], s.serverRequests(), "every owned key asked for by both peers: " + s);
      assertEquals(0, s.peerErrors());
      assertEquals(0, s.ringSkew());
    }
  }

  @Test
  void peerTrafficRunsOnEachNodesOwnIoThreadsWhichEndWithIt() throws Exception {
    Set<Thread> before = ioThreads();
    Node one = onLoopback().ioThreads(1).build();
    Node three = onLoopback().ioThreads(3).build();
    nodes.add(one);
    nodes.add(three);
    GroupConfig config = GroupConfig.builder("g").hotShare(0).build();
    Group g1 = one.newGroup(config, key -> ByteView.of("v:" + key.toStringUtf8()));
    Group g3 = three.newGroup(config, key -> ByteView.of("v:" + key.toStringUtf8()));
    List<String> peers = List.of(one.self().toString(), three.self().toString());
    one.setPeers(peers);
    three.setPeers(peers);
    // Every key asked of both: each node's server and its link to the other carry traffic.
    for (int k = 0; k < 40; k++) {
      ByteView key = ByteView.of("k" + k);
      assertEquals("v:k" + k, g1.get(key).toStringUtf8());
      assertEquals("v:k" + k, g3.get(key).toStringUtf8());
    }
    assertTrue(g1.stats().peerLoads() > 0 && g3.stats().peerLoads() > 0, g1.stats() + " " + g3.stats());
    Set<Thread> started = ioThreads();
    started.removeAll(before);
    // Each node's threads are one pool, named groupcache-io-<pool>-<thread>.
    Map<String, Long> perPool = started.stream().collect(Collectors.groupingBy(
        t -> t.getName().substring(0, t.getName().lastIndexOf('-')), Collectors.counting()));
    List<Long> sizes = perPool.values().stream().sorted().toList();
    assertEquals(2, sizes.size(), "one pool per node: " + perPool);
    assertEquals(1, sizes.get(0), "the node of one thread used one: " + perPool);
    assertTrue(sizes.get(1) >= 1 && sizes.get(1) <= 3, "the node of three used at most three: " + perPool);
    one.close();
    three.close();
    for (Thread t : started) {
      t.join(10_000);
      assertFalse(t.isAlive(), t.getName() + " outlived its node");
    }
  }

  @Test
  void ioThreadsAreBounded() {
    assertThrows(IllegalArgumentException.class, () -> Node.builder().ioThreads(0));
    assertThrows(IllegalArgumentException.class, () -> Node.builder().ioThreads(65));
  }

  private static Set<Thread> ioThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("groupcache-io-"))
        .collect(Collectors.toCollection(HashSet::new));
  }

  @Test
  void aLinkFirstUsedInsideAnotherCallOutlivesThatCall() throws Exception {
    start(2, GroupConfig.builder("g").hotShare(0).build());
    // As when a node serves a peer's request: the current context is that call's, and ends with it.
    Context.CancellableContext incoming = Context.current().withCancellation();
    String first = keyOwnedBy(1, "first");
    String got = incoming.call(() -> groups.get(0).get(ByteView.of(first)).toStringUtf8());
    assertEquals("v:" + first, got);
    incoming.cancel(null);
    for (int i = 0; i < 10; i++) {
      String key = keyOwnedBy(1, "after" + i + "-");
      assertEquals("v:" + key, groups.get(0).get(ByteView.of(key)).toStringUtf8());
    }
    GroupStats s = groups.get(0).stats();
    assertEquals(0, s.peerErrors(), "the link to node 1 failed when an unrelated call ended: " + s);
    assertEquals(11, s.peerLoads(), s.toString());
  }

  @Test
  void theOwnersLoaderErrorReachesTheCallerWithItsMessageAndIsNotRepeatedHere() {
    start(3, GroupConfig.builder("g").build());
    String key = keyOwnedBy(1, "fail:");
    LoadException e = assertThrows(LoadException.class, () -> groups.get(0).get(ByteView.of(key)));
    assertTrue(e.getMessage().contains("failed at " + nodes.get(1).self()), e.getMessage());
    assertTrue(e.getMessage().contains("java.io.IOException: backend refused " + key), e.getMessage());
    assertEquals(1, loadsOf(key), "the asking node must not retry the owner's failed load");
    assertEquals(0, groups.get(0).stats().peerErrors());
  }

  @Test
  void aDeadOwnerIsReplacedByLocalLoadsAndThenSkippedWhileSuspected() {
    start(3, GroupConfig.builder("g").build());
    nodes.get(2).close();
    for (int i = 0; i < 20; i++) {
      String key = keyOwnedBy(2, "dead" + i + "-");
      assertEquals("v:" + key, groups.get(0).get(ByteView.of(key)).toStringUtf8());
    }
    GroupStats s = groups.get(0).stats();
    // The first get finds the dead peer, unless a ping or the stream it ended did so before.
    assertTrue(s.peerErrors() <= 1, "a dead peer must not be asked again once it failed: " + s);
    assertEquals(20, s.peerErrors() + s.peerSkips(), s.toString());
    assertEquals(20, s.localLoads());
    assertFalse(nodes.get(0).isAvailable(nodes.get(2).self()));
    assertEquals(1, nodes.get(0).suspicions());
  }

  @Test
  void nodesThatDisagreeAboutTheRingAnswerWithoutBouncingRequests() {
    start(3, GroupConfig.builder("g").peerTimeout(Duration.ofSeconds(5)).build());
    Node a = nodes.get(0);
    Node b = nodes.get(1);
    Node c = nodes.get(2);
    a.setPeers(List.of(a.self().toString(), b.self().toString()));
    b.setPeers(List.of(a.self().toString(), c.self().toString()));
    assertNotEquals(a.ringVersion(), b.ringVersion());
    // A key that A thinks B owns while B thinks A owns: a forwarding node would bounce it forever.
    String key = null;
    for (int i = 0; key == null; i++) {
      ByteView k = ByteView.of("skew" + i);
      if (a.ownerOf(k).equals(b.self()) && b.ownerOf(k).equals(a.self())) {
        key = "skew" + i;
      }
    }
    assertEquals("v:" + key, groups.get(0).get(ByteView.of(key)).toStringUtf8());
    GroupStats atA = groups.get(0).stats();
    GroupStats atB = groups.get(1).stats();
    assertEquals(1, atA.peerLoads(), "A asked B once and B answered: " + atA);
    assertEquals(0, atA.peerErrors(), "a bounce would have ended in A's deadline: " + atA);
    assertEquals(1, atA.ringSkew());
    assertEquals(1, atB.serverRequests());
    assertEquals(1, atB.ringSkew());
    assertEquals(0, atB.peerLoads() + atB.peerErrors(), "B must not forward: " + atB);
    assertEquals(1, loads.get("1/" + key).get(), "B answered by loading itself");
    assertEquals(null, loads.get("0/" + key));
  }

  /** What an HTTP/2 client sends first on a connection (RFC 9113, 3.4). */
  private static final String HTTP2_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

  @Test
  void aLinkConnectsWhenItsPeerJoinsBeforeAnyGet() throws Exception {
    try (ServerSocket peer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      peer.setSoTimeout(10_000);
      Node asker = onLoopback().build();
      nodes.add(asker);
      asker.setPeers(List.of(asker.self().toString(), "127.0.0.1:" + peer.getLocalPort()));
      try (Socket connection = peer.accept()) { // times out, failing the test, if nobody connects
        connection.setSoTimeout(10_000);
        byte[] preface = connection.getInputStream().readNBytes(HTTP2_PREFACE.length());
        assertEquals(HTTP2_PREFACE, new String(preface, StandardCharsets.US_ASCII), "a gRPC client's first bytes");
      }
    }
  }

  @Test
  void peersThatLeaveHaveTheirLinksClosed() {
    start(3, GroupConfig.builder("g").build());
    String key = keyOwnedBy(2, "leave");
    groups.get(0).get(ByteView.of(key));
    PeerClient link = nodes.get(0).peerClient(nodes.get(2).self());
    assertFalse(link.channel().isShutdown());
    nodes.get(0).setPeers(List.of(nodes.get(0).self().toString(), nodes.get(1).self().toString()));
    assertTrue(link.channel().isShutdown());
    assertNotEquals(nodes.get(2).self(), nodes.get(0).ownerOf(ByteView.of(key)));
    assertEquals(null, nodes.get(0).peerClient(nodes.get(2).self()), "a link to a non-member was made");
  }

  @Test
  void aValueOverThisNodesLimitIsRefusedEvenIfTheOwnerAllowsIt() {
    Node owner = onLoopback().maxValueBytes(4096).build();
    Node asker = onLoopback().maxValueBytes(1024).build();
    nodes.add(owner);
    nodes.add(asker);
    owner.newGroup("g", 1 << 20, key -> ByteView.copyOf(new byte[2048]));
    Group g = asker.newGroup("g", 1 << 20, key -> ByteView.of("never"));
    List<String> both = List.of(owner.self().toString(), asker.self().toString());
    owner.setPeers(both);
    asker.setPeers(both);
    int i = 0;
    while (!asker.ownerOf(ByteView.of("big" + i)).equals(owner.self())) {
      i++;
    }
    ByteView key = ByteView.of("big" + i);
    LoadException e = assertThrows(LoadException.class, () -> g.get(key));
    assertTrue(e.getMessage().contains("value of 2048 bytes exceeds this node's limit of 1024"), e.getMessage());
    assertEquals(0, g.stats().localLoads(), "an oversized value is a verdict, not a reason to load here");
  }

  @Test
  void aPeerListedBeforeItListensIsAskedOnceItDoes() throws Exception {
    int port = FreePorts.take();
    Node asker = onLoopback().build();
    nodes.add(asker);
    Group g = asker.newGroup("g", 1 << 20, key -> ByteView.of("loaded by the asker"));
    List<String> both = List.of(asker.self().toString(), "127.0.0.1:" + port);
    asker.setPeers(both); // nothing listens there yet
    Node late = onLoopback().port(port).build();
    nodes.add(late);
    late.newGroup("g", 1 << 20, key -> ByteView.of("loaded by its owner"));
    late.setPeers(both);
    // A ping may have found nothing listening and made the asker suspect the peer; if so, the next
    // one (a quarter of the failure timeout later) finds it listening.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!asker.isAvailable(late.self()) && System.nanoTime() - deadline < 0) {
      Thread.sleep(10);
    }
    int i = 0;
    while (!asker.ownerOf(ByteView.of("late" + i)).equals(late.self())) {
      i++;
    }
    assertEquals("loaded by its owner", g.get(ByteView.of("late" + i)).toStringUtf8());
    assertEquals(0, g.stats().localLoads(), g.stats().toString());
  }

  @Test
  void manyLargeValuesReadyAtOnceReachTheAskerWithoutBreakingItsMessageLimit() throws Exception {
    int valueBytes = 768 << 10; // three of them exceed what the asker accepts in one message
    Node owner = onLoopback().maxValueBytes(1 << 20).build();
    Node asker = onLoopback().maxValueBytes(1 << 20).build();
    nodes.add(owner);
    nodes.add(asker);
    Group atOwner = owner.newGroup("g", 64 << 20, key -> ByteView.copyOf(new byte[valueBytes]));
    Group atAsker = asker.newGroup("g", 64 << 20, key -> ByteView.of("never"));
    List<String> both = List.of(owner.self().toString(), asker.self().toString());
    owner.setPeers(both);
    asker.setPeers(both);
    List<ByteView> keys = new ArrayList<>();
    for (int i = 0; keys.size() < 12; i++) {
      ByteView key = ByteView.of("large" + i);
      if (asker.ownerOf(key).equals(owner.self())) {
        atOwner.get(key); // ready at the owner: answered in the acknowledging batch
        keys.add(key);
      }
    }
    // From one thread, back to back: the first request leaves alone, the other eleven queue behind
    // it and leave as one batch, all of whose answers are ready at once.
    PeerClient link = asker.peerClient(owner.self());
    List<CompletableFuture<ByteView>> answers = new ArrayList<>();
    for (ByteView key : keys) {
      CompletableFuture<ByteView> answer = new CompletableFuture<>();
      link.get("g", key, asker.ringVersion(), 10_000, new PeerClient.Callback() {
        @Override
        public void onReply(ByteView value, long ringVersion) {
          answer.complete(value);
        }

        @Override
        public void onFailure(Throwable failure) {
          answer.completeExceptionally(failure);
        }
      });
      answers.add(answer);
    }
    for (CompletableFuture<ByteView> answer : answers) {
      assertEquals(valueBytes, answer.get(10, TimeUnit.SECONDS).length());
    }
    assertTrue(link.available(), "the link never failed");
    assertEquals(0, atAsker.stats().localLoads());
  }

  @Test
  void popularKeysGetHotCopiesAndOneOffKeysDoNot() {
    start(3, GroupConfig.builder("g").build());
    String popular = keyOwnedBy(1, "popular");
    Group a = groups.get(0);
    a.get(ByteView.of(popular)); // fetched once: not yet popular
    a.get(ByteView.of(popular)); // fetched twice: admitted
    a.get(ByteView.of(popular)); // served here
    GroupStats s = a.stats();
    assertEquals(1, s.hotAdmissions(), s.toString());
    assertEquals(1, s.hotHits(), s.toString());
    assertEquals(2, s.peerLoads());
    for (int i = 0; i < 500; i++) {
      a.get(ByteView.of(keyOwnedBy(1, "once" + i + "-")));
    }
    assertTrue(a.stats().hotAdmissions() <= 3, "one-off keys admitted: " + a.stats());
  }
}
