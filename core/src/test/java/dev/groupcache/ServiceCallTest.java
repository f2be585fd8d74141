package dev.groupcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Services carried over the peer links: calls to owners, calls to nodes, broadcasts. */
class ServiceCallTest {
  private final List<Node> nodes = new ArrayList<>();
  private final List<List<String>> received = new ArrayList<>();

  @AfterEach
  void close() {
    nodes.forEach(Node::close);
  }

  /** Three nodes whose "echo" service answers "<node>:<request>" and records what it got. */
  private void start() {
    for (int i = 0; i < 3; i++) {
      Node node = Node.builder().self("127.0.0.1").bindHost("127.0.0.1").port(0).build();
      List<String> log = Collections.synchronizedList(new ArrayList<>());
      received.add(log);
      node.registerService("echo", (key, request) -> {
        String r = request.toStringUtf8();
        if (r.startsWith("fail")) {
          return CompletableFuture.failedFuture(new IllegalStateException("asked to " + r));
        }
        log.add((key == null ? "" : key.toStringUtf8() + "=") + r);
        return CompletableFuture.completedFuture(ByteView.of(node.self() + ":" + r));
      });
      nodes.add(node);
    }
    List<String> peers = nodes.stream().map(n -> n.self().toString()).toList();
    nodes.forEach(n -> n.setPeers(peers));
  }

  private static String get(CompletableFuture<ByteView> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS).toStringUtf8();
  }

  @Test
  void aMessageTooLargeForThePeerFailsAloneAndTheLinkKeepsServing() throws Exception {
    int maxValue = 1 << 20;
    List<Node> pair = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Node node = Node.builder().self("127.0.0.1").bindHost("127.0.0.1").port(0).maxValueBytes(maxValue).build();
      // Answers a request "<n>" with n bytes, and any other request with its length.
      node.registerService("size", (key, request) -> {
        String r = request.toStringUtf8();
        return CompletableFuture.completedFuture(r.chars().allMatch(Character::isDigit)
            ? ByteView.copyOf(new byte[Integer.parseInt(r)]) : ByteView.of(String.valueOf(request.length())));
      });
      pair.add(node);
      nodes.add(node);
    }
    List<String> peers = pair.stream().map(n -> n.self().toString()).toList();
    pair.forEach(n -> n.setPeers(peers));
    Node from = pair.get(0);
    PeerAddress to = pair.get(1).self();
    MessageLimits limits = from.limits();
    Duration timeout = Duration.ofSeconds(10);

    // A value as large as allowed, with its key: one request, larger than a batch of small ones.
    // Each of the three calls below broke the stream, and every request waiting on it, before.
    int largest = maxValue + limits.maxKeyBytes();
    assertEquals(String.valueOf(largest), get(from.call(to, "size", ByteView.copyOf(new byte[largest]), timeout)));

    ExecutionException request = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> get(from.call(to, "size", ByteView.copyOf(new byte[limits.maxRequestBytes() + 1]), timeout)));
    assertTrue(request.getCause().getMessage().contains("exceeds the limit"), request.getCause().getMessage());

    ExecutionException answer = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> get(from.call(to, "size", ByteView.of(String.valueOf(limits.clientInboundBytes() + 1)), timeout)));
    assertTrue(answer.getCause().getMessage().contains("exceeds the limit"), answer.getCause().getMessage());

    // The stream that carried both refusals still carries the next calls.
    assertEquals(limits.maxResponseBytes() - 64,
        from.call(to, "size", ByteView.of(String.valueOf(limits.maxResponseBytes() - 64)), timeout)
            .get(10, TimeUnit.SECONDS).length());
    assertEquals("2", get(from.call(to, "size", ByteView.of("ok"), timeout)));
    assertTrue(from.peerClient(to).available(), "the link to the peer is backing off");
  }

  @Test
  void aCallAboutAKeyIsAnsweredByItsOwnerLocalOrRemote() throws Exception {
    start();
    for (int k = 0; k < 30; k++) {
      ByteView key = ByteView.of("k" + k);
      PeerAddress owner = nodes.get(0).ownerOf(key);
      for (Node from : nodes) {
        assertEquals(owner + ":hello", get(from.callOwner("echo", key, ByteView.of("hello"), Duration.ofSeconds(5))));
      }
    }
  }

  @Test
  void aNodeThatDoesNotOwnTheKeyRefusesAndTheCallerWaitsForTheRingsToAgree() throws Exception {
    start();
    Node a = nodes.get(0);
    Node b = nodes.get(1);
    Node c = nodes.get(2);
    // A thinks B owns the key; B, missing itself from its ring, thinks someone else does.
    b.setPeers(List.of(a.self().toString(), c.self().toString()));
    ByteView key = null;
    for (int i = 0; key == null; i++) {
      ByteView k = ByteView.of("skew" + i);
      if (a.ownerOf(k).equals(b.self()) && !b.ownerOf(k).equals(b.self())) {
        key = k;
      }
    }
    ByteView theKey = key;
    ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> a.callOwner("echo", theKey, ByteView.of("x"), Duration.ofMillis(300)).get(10, TimeUnit.SECONDS));
    assertTrue(refused.getCause().getMessage().contains("does not own this key"), refused.getCause().getMessage());
    assertTrue(received.get(1).isEmpty() && received.get(0).isEmpty() && received.get(2).isEmpty(),
        "nobody forwarded or handled it");

    CompletableFuture<ByteView> waiting = a.callOwner("echo", theKey, ByteView.of("y"), Duration.ofSeconds(10));
    Thread.sleep(200);
    assertFalse(waiting.isDone(), "still waiting for the rings to agree");
    b.setPeers(nodes.stream().map(n -> n.self().toString()).toList()); // B learns the membership
    assertEquals(b.self() + ":y", get(waiting));
    assertEquals(List.of(theKey.toStringUtf8() + "=y"), received.get(1));
  }

  @Test
  void broadcastsReachEveryOtherMemberInOrder() throws Exception {
    start();
    List<CompletableFuture<List<PeerReply>>> all = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      all.add(nodes.get(0).broadcast("echo", ByteView.of("m" + i), Duration.ofSeconds(10)));
    }
    for (CompletableFuture<List<PeerReply>> f : all) {
      List<PeerReply> replies = f.get(10, TimeUnit.SECONDS);
      assertEquals(2, replies.size());
      assertTrue(replies.stream().allMatch(PeerReply::succeeded));
    }
    assertTrue(received.get(0).isEmpty(), "not sent to itself");
    for (int n = 1; n < 3; n++) {
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        expected.add("m" + i);
      }
      assertEquals(expected, received.get(n), "the order node 0 sent them in");
    }
  }

  @Test
  void aDeadMemberFailsItsPartOfABroadcastAndTheRestSucceed() throws Exception {
    start();
    nodes.get(2).close();
    List<PeerReply> replies = nodes.get(0).broadcast("echo", ByteView.of("hi"), Duration.ofSeconds(2)).get(10, TimeUnit.SECONDS);
    assertEquals(2, replies.size());
    for (PeerReply r : replies) {
      if (r.peer().equals(nodes.get(1).self())) {
        assertEquals(nodes.get(1).self() + ":hi", r.value().toStringUtf8());
      } else {
        assertFalse(r.succeeded());
        assertNotEquals(null, r.failure().getMessage());
      }
    }
  }

  @Test
  void serviceFailuresAndUnknownServicesArriveWithTheirMessages() throws Exception {
    start();
    PeerAddress other = nodes.get(1).self();
    ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> nodes.get(0).call(other, "echo", ByteView.of("fail now"), Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS));
    assertTrue(failed.getCause().getMessage().contains("IllegalStateException: asked to fail now"), failed.getCause().getMessage());
    ExecutionException unknown = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> nodes.get(0).call(other, "nope", ByteView.of("x"), Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS));
    assertTrue(unknown.getCause().getMessage().contains("no service 'nope'"), unknown.getCause().getMessage());
    assertEquals(other + ":still", get(nodes.get(0).call(other, "echo", ByteView.of("still"), Duration.ofSeconds(5))));
  }

  @Test
  void aCallToAnOwnerThatDiesIsNotRetried() throws Exception {
    start();
    AtomicInteger handled = new AtomicInteger();
    Node slow = nodes.get(1);
    slow.unregisterService("echo");
    slow.registerService("echo", (key, request) -> {
      handled.incrementAndGet();
      return new CompletableFuture<>(); // never answers: the owner is about to die mid-request
    });
    ByteView key = null;
    for (int i = 0; key == null; i++) {
      if (nodes.get(0).ownerOf(ByteView.of("d" + i)).equals(slow.self())) {
        key = ByteView.of("d" + i);
      }
    }
    CompletableFuture<ByteView> call = nodes.get(0).callOwner("echo", key, ByteView.of("write"), Duration.ofSeconds(10));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (handled.get() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    slow.close();
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> call.get(10, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof GroupcacheException, String.valueOf(e.getCause()));
    assertEquals(1, handled.get(), "a request that may have been applied is not sent again");
  }

  @Test
  void anIdempotentCallWaitingAtAnOwnerThatLeavesIsAnsweredByTheNewOwner() throws Exception {
    start();
    Node caller = nodes.get(0);
    Node leaving = nodes.get(1);
    AtomicInteger handled = new AtomicInteger();
    leaving.unregisterService("echo");
    leaving.registerService("echo", (key, request) -> {
      handled.incrementAndGet();
      return new CompletableFuture<>(); // holds the call until it stops
    });
    ByteView key = null;
    for (int i = 0; key == null; i++) {
      if (caller.ownerOf(ByteView.of("m" + i)).equals(leaving.self())) {
        key = ByteView.of("m" + i);
      }
    }
    CompletableFuture<ByteView> call = caller.callOwner("echo", key, ByteView.of("read"), Duration.ofSeconds(10), true);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (handled.get() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    List<String> rest = List.of(caller.self().toString(), nodes.get(2).self().toString());
    caller.setPeers(rest);
    nodes.get(2).setPeers(rest);
    leaving.close();
    assertEquals(caller.ownerOf(key) + ":read", get(call), "asked again of the key's new owner");
    assertEquals(1, handled.get());
  }

  @Test
  void servicesHearThatTheRingChangedOncePerChange() {
    start();
    Node node = nodes.get(0);
    AtomicInteger changes = new AtomicInteger();
    node.registerService("ring", new PeerHandler() {
      @Override
      public CompletableFuture<ByteView> handle(ByteView key, ByteView request) {
        return CompletableFuture.completedFuture(request);
      }

      @Override
      public void ringChanged() {
        changes.incrementAndGet();
      }
    });
    List<String> all = nodes.stream().map(n -> n.self().toString()).toList();
    node.setPeers(all);
    assertEquals(0, changes.get(), "the same members: no change");
    node.setPeers(all.subList(0, 2));
    assertEquals(1, changes.get());
    node.setPeers(all);
    assertEquals(2, changes.get());
  }
}
