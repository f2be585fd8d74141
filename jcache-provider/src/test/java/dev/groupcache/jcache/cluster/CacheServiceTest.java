package dev.groupcache.jcache.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.groupcache.ByteView;
import dev.groupcache.Node;
import dev.groupcache.PeerAddress;
import dev.groupcache.jcache.configuration.Settings;
import dev.groupcache.jcache.proto.Clear;
import dev.groupcache.jcache.proto.Drop;
import dev.groupcache.jcache.proto.Entries;
import dev.groupcache.jcache.proto.EntriesPage;
import dev.groupcache.jcache.proto.Event;
import dev.groupcache.jcache.proto.EventType;
import dev.groupcache.jcache.proto.Listening;
import dev.groupcache.jcache.proto.Loaded;
import dev.groupcache.jcache.proto.NodeRequest;
import dev.groupcache.jcache.proto.NodeResponse;
import dev.groupcache.jcache.proto.OwnerRequest;
import dev.groupcache.jcache.proto.OwnerResponse;
import dev.groupcache.jcache.proto.Read;
import dev.groupcache.jcache.proto.Renew;
import dev.groupcache.jcache.proto.Write;
import io.grpc.Status;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A node's JCache service, alone in its cluster: requests by the operation they declare, stores, receivers. */
class CacheServiceTest {
  private static final String CACHE = CacheIds.of(URI.create("urn:test-manager"), "orders");
  private static final ByteView KEY = ByteView.of("k");

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final Node node = Node.builder().self("127.0.0.1:1").serve(false).build();
  private final List<String> settingsAsked = new CopyOnWriteArrayList<>();
  private final CacheService service = new CacheService(node, timer, name -> {
    settingsAsked.add(name);
    return new Settings.CacheSettings(name, 1 << 20, 0.25, Duration.ofSeconds(10), false, false,
        Duration.ofSeconds(30), 0);
  }, Duration.ofSeconds(5), Duration.ofSeconds(2), new AtomicLong()::get);

  /** A receiver that records what reaches it and answers as the test says. */
  private static final class Recording implements CacheService.Receiver {
    final List<Event> events = new CopyOnWriteArrayList<>();
    final AtomicInteger clears = new AtomicInteger();
    final List<ByteView> drops = new CopyOnWriteArrayList<>();
    final AtomicReference<CompletableFuture<String>> answer =
        new AtomicReference<>(CompletableFuture.completedFuture(null));

    @Override
    public CompletableFuture<String> apply(Event event) {
      events.add(event);
      return answer.get();
    }

    @Override
    public void clearCopies() {
      clears.incrementAndGet();
    }

    @Override
    public void dropCopy(ByteView key) {
      drops.add(key);
    }

    volatile CacheService.Listening listening = CacheService.Listening.NONE;

    @Override
    public CacheService.Listening listening() {
      return listening;
    }
  }

  private final Recording receiver = new Recording();

  @AfterEach
  void stop() {
    node.close();
    timer.shutdownNow();
  }

  private static ByteView write(String value) {
    return ByteView.of(OwnerRequest.newBuilder().setCache(CACHE)
        .setWrite(Write.newBuilder().setValue(ByteString.copyFromUtf8(value))).build());
  }

  private static ByteView read() {
    return ByteView.of(OwnerRequest.newBuilder().setCache(CACHE).setRead(Read.getDefaultInstance()).build());
  }

  private static ByteView entries(int limit) {
    return ByteView.of(NodeRequest.newBuilder().setCache(CACHE).setEntries(Entries.newBuilder().setLimit(limit))
        .build());
  }

  private OwnerResponse owner(ByteView key, ByteView request) throws Exception {
    return OwnerResponse.parseFrom(Answers.now(service.handle(key, request)).asReadOnlyBuffer());
  }

  private NodeResponse node(ByteView request) throws Exception {
    return NodeResponse.parseFrom(Answers.now(service.handle(null, request)).asReadOnlyBuffer());
  }

  /** Another member's address, which the engine established as a request's sender. */
  private static final PeerAddress MEMBER = PeerAddress.parse("127.0.0.1:2");

  private NodeResponse nodeFrom(PeerAddress sender, ByteView request) throws Exception {
    return NodeResponse.parseFrom(Answers.now(service.handle(sender, null, request)).asReadOnlyBuffer());
  }

  /** This node opens the cache, as an application does: owners take requests only for caches some member has open. */
  private void open() {
    service.receive(CACHE, receiver);
  }


  private static Throwable refusal(CompletableFuture<ByteView> answer) {
    assertTrue(answer.isCompletedExceptionally(), "refused");
    CompletionException e = assertThrows(CompletionException.class, answer::join);
    return e.getCause();
  }

  @Test
  void aStoreIsMadeOnFirstUseWithTheSettingsOfTheCachesName() throws Exception {
    open();
    owner(KEY, write("v"));
    owner(ByteView.of("other"), write("v"));

    assertEquals(List.of("orders"), settingsAsked, "one store per cache, named without its manager");
    assertEquals("v", owner(KEY, read()).getValue().toStringUtf8());
    assertEquals(3, service.ownerRequests());
  }

  @Test
  void readsOfCachesNothingWasStoredInAreMissesThatMakeNoStore() throws Exception {
    for (int i = 0; i < 500; i++) {
      ByteView request = ByteView.of(OwnerRequest.newBuilder().setCache("urn:x" + i + "|nobody's")
          .setRead(Read.newBuilder().setHolder("127.0.0.1:2").setCopyMillis(10_000)).build());
      OwnerResponse r = OwnerResponse.parseFrom(Answers.now(service.handle(MEMBER, KEY, request)).asReadOnlyBuffer());
      assertFalse(r.getPresent());
      assertEquals(0, r.getCopyLeaseMillis());
    }
    assertEquals(0, service.stores(), "a name nobody stored in cost a store");
    assertEquals(List.of(), settingsAsked);
    assertEquals(500, service.ownerRequests());

    open();
    owner(KEY, write("v")); // a write makes the store, and reads find what it stored
    assertEquals("v", owner(KEY, read()).getValue().toStringUtf8());
    assertEquals(1, service.stores());
  }

  @Test
  void aReadThroughReadOfANewCacheTakesItsLeaseThere() throws Exception {
    open();
    OwnerResponse r = owner(KEY, ByteView.of(OwnerRequest.newBuilder().setCache(CACHE)
        .setRead(Read.newBuilder().setLease(true)).build()));
    assertTrue(r.getLease() != 0, "the loader's lease: " + r);
    assertEquals(1, service.stores());
  }

  @Test
  void anOwnersChangeIsAnsweredOnlyOnceThisNodesReceiverAppliedIt() {
    service.receive(CACHE, receiver);
    CompletableFuture<String> applied = new CompletableFuture<>();
    receiver.answer.set(applied);

    CompletableFuture<ByteView> answer = service.handle(KEY, write("v"));

    assertEquals(1, receiver.events.size());
    assertEquals(EventType.CREATED, receiver.events.get(0).getType());
    assertEquals("k", receiver.events.get(0).getKey().toStringUtf8());
    assertFalse(answer.isDone());
    applied.complete(null);
    assertTrue(answer.isDone());
  }

  @Test
  void aReceiversListenerFailureIsAnsweredWithTheChange() throws Exception {
    service.receive(CACHE, receiver);
    receiver.answer.set(CompletableFuture.completedFuture("listener threw"));

    OwnerResponse r = owner(KEY, write("v"));

    assertTrue(r.getApplied());
    assertEquals("listener threw", r.getListenerFailure());
  }

  @Test
  void aReceiverThatStoppedHearsNoMoreChanges() throws Exception {
    service.receive(CACHE, receiver);
    owner(KEY, write("v"));
    service.stopReceiving(CACHE, receiver);
    receiver.events.clear();

    owner(KEY, write("w"));

    assertEquals(List.of(), receiver.events);
  }

  @Test
  void anEventIsHandedToTheCachesReceiverWithItsListenerFailure() throws Exception {
    service.receive(CACHE, receiver);
    receiver.answer.set(CompletableFuture.completedFuture("listener threw"));
    Event event = Event.newBuilder().setType(EventType.REMOVED).setKey(ByteString.copyFromUtf8("k")).build();

    NodeResponse r = node(ByteView.of(NodeRequest.newBuilder().setCache(CACHE).setEvent(event).build()));

    assertEquals(List.of(event), receiver.events);
    assertEquals("listener threw", r.getListenerFailure());
    assertFalse(r.getListening().getListening(), "with whether this node listens");
  }

  @Test
  void anEventForACacheThisNodeDoesNotHaveIsAnsweredWithNoListeners() throws Exception {
    Event event = Event.newBuilder().setType(EventType.REMOVED).setKey(ByteString.copyFromUtf8("k")).build();

    NodeResponse r = node(ByteView.of(NodeRequest.newBuilder().setCache(CACHE).setEvent(event).build()));

    assertEquals("", r.getListenerFailure());
    assertEquals("127.0.0.1:1", r.getListening().getMember());
    assertFalse(r.getListening().getListening(), "the owner learns that this node does not listen");
    assertEquals(List.of(), receiver.events);
  }

  @Test
  void aCacheWithNoEntriesHereHasAnEmptyLastPage() throws Exception {
    EntriesPage page = node(entries(10)).getPage();

    assertEquals(0, page.getEntriesCount());
    assertFalse(page.getMore());
  }

  @Test
  void aPageAskedWithNoLimitHoldsOneEntry() throws Exception {
    open();
    owner(ByteView.of("a"), write("1"));
    owner(ByteView.of("b"), write("2"));

    EntriesPage page = node(entries(0)).getPage();

    assertEquals(1, page.getEntriesCount());
    assertEquals("a", page.getEntries(0).getKey().toStringUtf8());
    assertTrue(page.getMore());
  }

  @Test
  void aClearDropsOwnedEntriesAndCopiesWithoutEvents() throws Exception {
    service.receive(CACHE, receiver);
    owner(KEY, write("v"));
    receiver.events.clear();

    node(ByteView.of(NodeRequest.newBuilder().setCache(CACHE).setClear(Clear.getDefaultInstance()).build()));

    assertFalse(owner(KEY, read()).getPresent());
    assertEquals(1, receiver.clears.get());
    assertEquals(List.of(), receiver.events);
  }

  @Test
  void aDroppedCacheForgetsItsEntries() throws Exception {
    open();
    owner(KEY, write("v"));

    service.drop(CACHE);

    assertFalse(owner(KEY, read()).getPresent());
  }

  @Test
  void anOwnerOperationSentWithoutItsKeyIsRefused() throws Exception {
    open();
    owner(KEY, write("v"));

    Throwable why = refusal(service.handle(null, write("other")));

    assertInstanceOf(IllegalArgumentException.class, why);
    assertEquals("v", owner(KEY, read()).getValue().toStringUtf8(), "nothing changed");
  }

  @Test
  void aClearSentAboutAKeyIsRefusedAndClearsNothing() throws Exception {
    open();
    owner(KEY, write("v"));
    ByteView clear = ByteView.of(NodeRequest.newBuilder().setCache(CACHE).setClear(Clear.getDefaultInstance())
        .build());

    Throwable why = refusal(service.handle(KEY, clear));

    assertInstanceOf(IllegalArgumentException.class, why);
    assertTrue(owner(KEY, read()).getPresent());
  }

  @Test
  void malformedBytesAreRefused() {
    ByteView garbage = ByteView.copyOf(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});

    assertInstanceOf(IllegalArgumentException.class, refusal(service.handle(KEY, garbage)));
    assertInstanceOf(IllegalArgumentException.class, refusal(service.handle(null, garbage)));
  }

  @Test
  void whenTheRingMovesKeysAwayTheirWaitingReadersAskTheNewOwner() throws Exception {
    node.registerService(CacheService.NAME, service);
    open();
    ByteView lease = ByteView.of(OwnerRequest.newBuilder().setCache(CACHE)
        .setRead(Read.newBuilder().setLease(true)).build());
    List<ByteView> keys = new ArrayList<>();
    List<CompletableFuture<ByteView>> waiting = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      ByteView k = ByteView.of("k" + i);
      keys.add(k);
      assertNotEquals(0, owner(k, lease).getLease(), "alone, this node owns every key");
      waiting.add(service.handle(k, lease));
    }

    node.setPeers(List.of("127.0.0.1:1", "127.0.0.1:2"));

    int moved = 0;
    for (int i = 0; i < keys.size(); i++) {
      if (node.ownerOf(keys.get(i)).equals(node.self())) {
        assertFalse(waiting.get(i).isDone(), "a key still owned here keeps its load and its waiters");
      } else {
        moved++;
        assertTrue(waiting.get(i).isDone());
        assertTrue(OwnerResponse.parseFrom(waiting.get(i).join().asReadOnlyBuffer()).getRetry());
      }
    }
    assertTrue(moved > 0 && moved < keys.size(), "some keys moved, some stayed: " + moved);
  }

  private static ByteView listening(String member, boolean listening, boolean synchronous) {
    return ByteView.of(NodeRequest.newBuilder().setCache(CACHE).setListening(Listening.newBuilder()
        .setMember(member).setListening(listening).setSynchronous(synchronous)).build());
  }

  @Test
  void anAnnouncementFromAMemberNotOnThisNodesRingYetIsRefusedSoThatItAsksAgain() {
    assertEquals(Status.Code.FAILED_PRECONDITION, code(service.handle(MEMBER, null, listening("127.0.0.1:2", true, true))));

    node.setPeers(List.of("127.0.0.1:1", "127.0.0.1:2"));
    Answers.now(service.handle(MEMBER, null, listening("127.0.0.1:2", true, true)));
  }

  @Test
  void aMembersAnnouncementIsAnsweredWithThisNodesOwnListeners() throws Exception {
    node.setPeers(List.of("127.0.0.1:1", "127.0.0.1:2"));
    service.receive(CACHE, receiver);
    receiver.listening = CacheService.Listening.SYNCHRONOUS;

    Listening answer = nodeFrom(MEMBER, listening("127.0.0.1:2", true, false)).getListening();

    assertEquals("127.0.0.1:1", answer.getMember());
    assertTrue(answer.getListening());
    assertTrue(answer.getSynchronous());
  }

  @Test
  void whatThisNodeSaysOfItsListenersIsOrderedSoThatOwnersKeepTheLatest() throws Exception {
    node.setPeers(List.of("127.0.0.1:1", "127.0.0.1:2"));
    Listening before = nodeFrom(MEMBER, listening("127.0.0.1:2", true, true)).getListening(); // not open here yet
    receiver.listening = CacheService.Listening.SYNCHRONOUS;
    service.receive(CACHE, receiver);
    Listening after = nodeFrom(MEMBER, listening("127.0.0.1:2", true, true)).getListening();

    assertFalse(before.getListening());
    assertTrue(after.getListening());
    // An owner that hears "after" (or this node's announcement) first ignores "before" when it comes.
    assertTrue(before.getSaid() > 0 && after.getSaid() > before.getSaid(), before.getSaid() + " then " + after.getSaid());
  }

  @Test
  void aMemberThatOpenedNoSuchCacheAnswersThatItDoesNotListen() throws Exception {
    node.setPeers(List.of("127.0.0.1:1", "127.0.0.1:2"));
    assertFalse(nodeFrom(MEMBER, listening("127.0.0.1:2", true, true)).getListening().getListening());
  }

  @Test
  void aDropReachesTheReceiverAsADropOnly() throws Exception {
    service.receive(CACHE, receiver);

    node(ByteView.of(NodeRequest.newBuilder().setCache(CACHE)
        .setDrop(Drop.newBuilder().setKey(ByteString.copyFromUtf8("k"))).build()));

    assertEquals(List.of(KEY), receiver.drops);
    assertEquals(List.of(), receiver.events, "no listener hears a drop");
  }

  @Test
  void aRenewalFromANonMemberIsGrantedNothingButLearnsThisRun() throws Exception {
    NodeResponse r = nodeFrom(MEMBER, ByteView.of(NodeRequest.newBuilder()
        .setRenew(Renew.newBuilder().setHolder("127.0.0.1:2")).build()));

    assertEquals(0, r.getCopyLeaseMillis(), "not on this node's ring: it may keep no copy");
    assertNotEquals(0, r.getOwnerIncarnation());
  }

  private static Status.Code code(CompletableFuture<ByteView> answer) {
    return Status.fromThrowable(refusal(answer)).getCode();
  }

  @Test
  void writesLeasesAndLoadsOfACacheNoMemberOpenedAreNotFoundAndMakeNoStore() {
    for (int i = 0; i < 200; i++) {
      String cache = "urn:x" + i + "|nobody's";
      assertEquals(Status.Code.NOT_FOUND, code(service.handle(MEMBER, KEY, ByteView.of(OwnerRequest.newBuilder()
          .setCache(cache).setWrite(Write.newBuilder().setValue(ByteString.copyFromUtf8("v"))).build()))));
      assertEquals(Status.Code.NOT_FOUND, code(service.handle(MEMBER, KEY, ByteView.of(OwnerRequest.newBuilder()
          .setCache(cache).setRead(Read.newBuilder().setLease(true)).build()))));
      assertEquals(Status.Code.NOT_FOUND, code(service.handle(MEMBER, KEY, ByteView.of(OwnerRequest.newBuilder()
          .setCache(cache).setLoaded(Loaded.newBuilder().setHasValue(true)).build()))));
    }
    assertEquals(0, service.stores(), "no name cost a store");
    assertEquals(List.of(), settingsAsked);
    assertEquals(600, service.unknownCaches());
  }

  @Test
  void eventsAreTakenOnlyFromTheKeysOwnerOnThisNodesRing() throws Exception {
    service.receive(CACHE, receiver);
    node.setPeers(List.of("127.0.0.1:1", "127.0.0.1:2"));
    ByteView ownedHere = null;
    ByteView ownedThere = null;
    for (int i = 0; ownedHere == null || ownedThere == null; i++) {
      ByteView k = ByteView.of("k" + i);
      if (node.ownerOf(k).equals(node.self())) {
        ownedHere = k;
      } else {
        ownedThere = k;
      }
    }
    ByteView spoofed = event(ownedHere);

    assertEquals(Status.Code.PERMISSION_DENIED, code(service.handle(MEMBER, null, spoofed)));
    assertEquals(List.of(), receiver.events, "no listener heard of it");

    nodeFrom(MEMBER, event(ownedThere));
    assertEquals(1, receiver.events.size(), "the owner's event is heard");
  }

  private static ByteView event(ByteView key) {
    return ByteView.of(NodeRequest.newBuilder().setCache(CACHE).setEvent(Event.newBuilder()
        .setType(EventType.CREATED).setKey(OwnerStore.bytes(key)).setHasValue(true)
        .setValue(ByteString.copyFromUtf8("v"))).build());
  }

  @Test
  void aMemberSpeaksOnlyForItselfAsListenerHolderAndRenewer() {
    PeerAddress third = PeerAddress.parse("127.0.0.1:3");
    assertEquals(Status.Code.PERMISSION_DENIED, code(service.handle(third, null, listening("127.0.0.1:2", true, true))));
    assertEquals(Status.Code.PERMISSION_DENIED, code(service.handle(third, null, ByteView.of(NodeRequest.newBuilder()
        .setRenew(Renew.newBuilder().setHolder("127.0.0.1:2")).build()))));
    assertEquals(Status.Code.PERMISSION_DENIED, code(service.handle(third, KEY, ByteView.of(OwnerRequest.newBuilder()
        .setCache(CACHE).setRead(Read.newBuilder().setHolder("127.0.0.1:2").setCopyMillis(1000)).build()))));
  }

  @Test
  void keysAndValuesBeyondTheLimitsAreRefusedOnEveryPath() {
    open();
    ByteView longKey = ByteView.copyOf(new byte[node.maxKeyBytes() + 1]);
    ByteString bigValue = ByteString.copyFrom(new byte[node.maxValueBytes() + 1]);

    assertInstanceOf(IllegalArgumentException.class, refusal(service.handle(MEMBER, longKey, write("v"))));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, code(service.handle(MEMBER, KEY, ByteView.of(OwnerRequest.newBuilder()
        .setCache(CACHE).setWrite(Write.newBuilder().setValue(bigValue)).build()))));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, code(service.handle(MEMBER, KEY, ByteView.of(OwnerRequest.newBuilder()
        .setCache(CACHE).setLoaded(Loaded.newBuilder().setHasValue(true).setValue(bigValue)).build()))));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, code(service.handle(MEMBER, null, ByteView.of(NodeRequest.newBuilder()
        .setCache(CACHE).setEvent(Event.newBuilder().setKey(ByteString.copyFromUtf8("k")).setHasValue(true)
            .setValue(bigValue)).build()))));
    assertInstanceOf(IllegalArgumentException.class, refusal(service.handle(MEMBER, null, ByteView.of(
        NodeRequest.newBuilder().setCache(CACHE).setDrop(Drop.newBuilder()).build()))));
    assertThrows(IllegalArgumentException.class, () -> service.answer(longKey, OwnerRequest.newBuilder()
        .setCache(CACHE).setWrite(Write.newBuilder().setValue(ByteString.copyFromUtf8("v"))).build()),
        "this node's own write of a key too long");
    assertEquals(0, service.ownerRequests(), "nothing reached a store");
  }
}
