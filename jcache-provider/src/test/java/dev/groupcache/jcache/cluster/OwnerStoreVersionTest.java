package dev.groupcache.jcache.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.groupcache.ByteView;
import dev.groupcache.jcache.proto.Condition;
import dev.groupcache.jcache.proto.Event;
import dev.groupcache.jcache.proto.EventType;
import dev.groupcache.jcache.proto.Loaded;
import dev.groupcache.jcache.proto.OwnerResponse;
import dev.groupcache.jcache.proto.Read;
import dev.groupcache.jcache.proto.Write;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An owner's versions, conditional writes and the events its changes publish, on a clock that stands still. */
class OwnerStoreVersionTest {
  private static final ByteView KEY = ByteView.of("k");
  private static final Read PLAIN = Read.getDefaultInstance();
  private static final Read LEASE = Read.newBuilder().setLease(true).build();

  private final RecordedStore recorded = new RecordedStore(1 << 20, 1_000_000_000L);
  private final OwnerStore store = recorded.store;
  private final FakeTicker ticker = recorded.ticker;
  private final List<Event> events = recorded.events;

  @AfterEach
  void stop() {
    recorded.close();
  }

  private static Write.Builder put(String value) {
    return Write.newBuilder().setValue(ByteString.copyFromUtf8(value));
  }

  private static Write.Builder remove() {
    return Write.newBuilder().setRemove(true);
  }

  private OwnerResponse write(ByteView key, Write.Builder write) {
    return Answers.now(store.write(key, write.build()));
  }

  private OwnerResponse write(Write.Builder write) {
    return write(KEY, write);
  }

  private OwnerResponse read() {
    return Answers.now(store.read(KEY, PLAIN));
  }

  private static Event event(EventType type, String old, String value) {
    Event.Builder e = Event.newBuilder().setType(type).setKey(ByteString.copyFromUtf8("k"));
    if (old != null) {
      e.setHasOldValue(true).setOldValue(ByteString.copyFromUtf8(old));
    }
    if (value != null) {
      e.setHasValue(true).setValue(ByteString.copyFromUtf8(value));
    }
    return e.build();
  }

  @Test
  void versionsGrowWithEachChangeOfAnyKey() {
    long created = write(put("a")).getVersion();
    long updated = write(put("b")).getVersion();
    long other = write(ByteView.of("other"), put("x")).getVersion();
    long again = write(put("c")).getVersion();

    assertTrue(created > 0, "an entry's version is never 0");
    assertTrue(created < updated && updated < other && other < again,
        created + " < " + updated + " < " + other + " < " + again);
    OwnerResponse r = read();
    assertEquals(again, r.getVersion(), "a read answers the version of the last change");
    assertEquals("c", r.getValue().toStringUtf8());
  }

  @Test
  void aCreationAnswersAppliedNotPresentWithTheNewVersionAndNoExpiry() {
    OwnerResponse r = write(put("a"));

    assertTrue(r.getApplied());
    assertFalse(r.getPresent(), "there was no entry before");
    assertNotEquals(0, r.getVersion());
    assertEquals(-1, r.getRemainingMillis(), "no ttl: lives forever");
    assertEquals(List.of(event(EventType.CREATED, null, "a")), events);
  }

  @Test
  void anUpdatePublishesUpdatedWithTheOldAndTheNewValue() {
    write(put("a"));
    OwnerResponse r = write(put("b"));

    assertTrue(r.getApplied());
    assertTrue(r.getPresent());
    assertEquals(List.of(event(EventType.CREATED, null, "a"), event(EventType.UPDATED, "a", "b")), events);
  }

  @Test
  void anAbsentWriteOverAnEntryIsNotAppliedAndPublishesNothing() {
    long version = write(put("a")).getVersion();
    events.clear();

    OwnerResponse r = write(put("b").setCondition(Condition.ABSENT));

    assertFalse(r.getApplied());
    assertTrue(r.getPresent());
    assertEquals(version, r.getVersion(), "a failed write answers the entry's current version");
    assertEquals("a", read().getValue().toStringUtf8());
    assertEquals(List.of(), events);
  }

  @Test
  void anAbsentWriteWithNoEntryCreatesIt() {
    OwnerResponse r = write(put("a").setCondition(Condition.ABSENT));

    assertTrue(r.getApplied());
    assertFalse(r.getPresent());
    assertEquals(r.getVersion(), read().getVersion());
    assertEquals(List.of(event(EventType.CREATED, null, "a")), events);
  }

  @Test
  void aWriteExpectingTheCurrentVersionIsApplied() {
    long version = write(put("a")).getVersion();

    OwnerResponse r = write(put("b").setCondition(Condition.VERSION).setExpectedVersion(version));

    assertTrue(r.getApplied());
    assertTrue(r.getPresent());
    assertTrue(r.getVersion() > version);
    assertEquals("b", read().getValue().toStringUtf8());
  }

  @Test
  void aWriteWhoseVersionChangedIsNotApplied() {
    long seen = write(put("a")).getVersion();
    long current = write(put("b")).getVersion();
    events.clear();

    OwnerResponse r = write(put("c").setCondition(Condition.VERSION).setExpectedVersion(seen));

    assertFalse(r.getApplied());
    assertTrue(r.getPresent());
    assertEquals(current, r.getVersion(), "the answer says which version is there now");
    assertEquals("b", read().getValue().toStringUtf8());
    assertEquals(List.of(), events, "a write whose condition failed changes nothing");
  }

  @Test
  void expectingVersionZeroMeansExpectingNoEntry() {
    OwnerResponse created = write(put("a").setCondition(Condition.VERSION).setExpectedVersion(0));
    assertTrue(created.getApplied(), "there was no entry: the condition held");

    OwnerResponse refused = write(put("b").setCondition(Condition.VERSION).setExpectedVersion(0));
    assertFalse(refused.getApplied(), "now there is one");
    assertEquals(created.getVersion(), refused.getVersion());
    assertEquals("a", read().getValue().toStringUtf8());
  }

  @Test
  void expectingAVersionOfAnAbsentEntryIsNotApplied() {
    OwnerResponse r = write(put("a").setCondition(Condition.VERSION).setExpectedVersion(7));

    assertFalse(r.getApplied());
    assertFalse(r.getPresent());
    assertEquals(0, r.getVersion(), "no entry: version 0");
    assertFalse(read().getPresent());
    assertEquals(List.of(), events);
  }

  @Test
  void theOldValueIsAnsweredOnlyWhenAskedFor() {
    write(put("a"));

    assertTrue(write(put("b")).getValue().isEmpty(), "not asked");
    assertEquals("b", write(put("c").setReturnOld(true)).getValue().toStringUtf8());
    assertEquals("c", write(put("d").setCondition(Condition.ABSENT).setReturnOld(true)).getValue().toStringUtf8(),
        "a write whose condition failed answers the old value too");
    assertEquals("c", write(remove().setReturnOld(true)).getValue().toStringUtf8());
    OwnerResponse none = write(put("e").setReturnOld(true));
    assertFalse(none.getPresent());
    assertTrue(none.getValue().isEmpty(), "no entry, no old value");
  }

  @Test
  void removingAnEntryPublishesRemovedWithItsOldValue() {
    write(put("a"));
    events.clear();

    OwnerResponse r = write(remove());

    assertTrue(r.getApplied());
    assertTrue(r.getPresent());
    assertEquals(0, r.getVersion(), "no entry after a remove");
    assertFalse(read().getPresent());
    assertEquals(List.of(event(EventType.REMOVED, "a", null)), events);
  }

  @Test
  void removingAnAbsentEntryIsNotAppliedAndPublishesNothing() {
    OwnerResponse r = write(remove());

    assertFalse(r.getApplied());
    assertFalse(r.getPresent());
    assertEquals(List.of(), events);
  }

  @Test
  void aRemoveExpectingAStaleVersionLeavesTheEntry() {
    long seen = write(put("a")).getVersion();
    write(put("b"));
    events.clear();

    OwnerResponse stale = write(remove().setCondition(Condition.VERSION).setExpectedVersion(seen));

    assertFalse(stale.getApplied());
    assertEquals("b", read().getValue().toStringUtf8());
    assertEquals(List.of(), events);
    assertTrue(write(remove().setCondition(Condition.VERSION).setExpectedVersion(read().getVersion())).getApplied());
    assertEquals(List.of(event(EventType.REMOVED, "b", null)), events);
  }

  @Test
  void aRecreatedEntryGetsANewerVersionThanTheRemovedOne() {
    long first = write(put("a")).getVersion();
    write(remove());

    OwnerResponse r = write(put("a").setCondition(Condition.VERSION).setExpectedVersion(0));

    assertTrue(r.getApplied());
    assertTrue(r.getVersion() > first, "a writer that saw the removed entry must not match the new one");
  }

  @Test
  void theAnswerWaitsForTheEventAndCarriesAListenersFailure() {
    CompletableFuture<String> applied = new CompletableFuture<>();
    OwnerStore slow = new OwnerStore(1 << 20, 60_000, RecordedStore.sink(() -> applied),
        OwnerStore.Backups.NONE, new CopyGrants(Duration.ofSeconds(2), ticker, member -> true), 10_000, recorded.timer, ticker);

    CompletableFuture<OwnerResponse> answer = slow.write(KEY, put("a").build());

    assertFalse(answer.isDone(), "not answered before every node applied the change");
    applied.complete("listener threw");
    OwnerResponse r = Answers.now(answer);
    assertTrue(r.getApplied());
    assertEquals("listener threw", r.getListenerFailure());
  }

  @Test
  void aLoadStoresItsValueWhenTheKeyIsStillAbsent() {
    long lease = Answers.now(store.read(KEY, LEASE)).getLease();
    assertNotEquals(0, lease, "a miss with a lease makes the caller the loader");

    OwnerResponse r = Answers.now(store.loaded(KEY, Loaded.newBuilder().setLease(lease).setHasValue(true)
        .setValue(ByteString.copyFromUtf8("loaded")).build()));

    assertTrue(r.getApplied());
    assertTrue(r.getPresent());
    assertEquals("loaded", r.getValue().toStringUtf8());
    assertEquals(r.getVersion(), read().getVersion());
    assertEquals("loaded", read().getValue().toStringUtf8());
    assertEquals(List.of(event(EventType.CREATED, null, "loaded")), events);
  }

  @Test
  void someoneWhoPutWhileItLoadedStands() {
    long lease = Answers.now(store.read(KEY, LEASE)).getLease();
    long theirs = write(put("theirs")).getVersion();
    events.clear();

    OwnerResponse r = Answers.now(store.loaded(KEY, Loaded.newBuilder().setLease(lease).setHasValue(true)
        .setValue(ByteString.copyFromUtf8("loaded")).build()));

    assertFalse(r.getApplied());
    assertTrue(r.getPresent());
    assertEquals("theirs", r.getValue().toStringUtf8(), "the loader learns what is there");
    assertEquals(theirs, r.getVersion());
    assertEquals("theirs", read().getValue().toStringUtf8());
    assertEquals(List.of(), events);
  }

  @Test
  void readersWaitingForALoadGetTheLoadedValue() {
    long lease = Answers.now(store.read(KEY, LEASE)).getLease();
    CompletableFuture<OwnerResponse> waiting = store.read(KEY, LEASE);
    assertFalse(waiting.isDone(), "a second reader waits for the load");

    store.loaded(KEY, Loaded.newBuilder().setLease(lease).setHasValue(true)
        .setValue(ByteString.copyFromUtf8("loaded")).build());

    assertTrue(waiting.isDone());
    assertEquals(0, waiting.join().getLease(), "the waiter does not load");
    assertTrue(waiting.join().getPresent());
    assertEquals("loaded", waiting.join().getValue().toStringUtf8());
  }

  @Test
  void aFailedLoadStoresNothingAndItsWaitersFailWithItsMessage() {
    long lease = Answers.now(store.read(KEY, LEASE)).getLease();
    CompletableFuture<OwnerResponse> waiting = store.read(KEY, LEASE);

    OwnerResponse r = Answers.now(store.loaded(KEY, Loaded.newBuilder().setLease(lease).setFailure("db down").build()));

    assertEquals("db down", r.getLoadFailure());
    assertEquals("db down", Answers.now(waiting).getLoadFailure());
    assertFalse(waiting.join().getPresent());
    assertFalse(read().getPresent());
    assertEquals(List.of(), events);
    assertNotEquals(0, Answers.now(store.read(KEY, LEASE)).getLease(), "the lease ended: the next reader loads");
  }

  @Test
  void aWriteOnPresenceAppliesOnlyOverAnEntryWithTheUpdatesExpiry() {
    OwnerResponse absent = write(put("new").setCondition(Condition.PRESENT));
    assertFalse(absent.getApplied());
    assertFalse(read().getPresent(), "nothing created");

    write(put("old"));
    OwnerResponse replaced = write(put("new").setCondition(Condition.PRESENT).setReturnOld(true)
        .setUpdateTtlMillis(1_000).setCreateTtlMillis(5));
    assertTrue(replaced.getApplied());
    assertEquals("old", replaced.getValue().toStringUtf8());
    assertEquals(1_000, replaced.getRemainingMillis());
    assertEquals("new", read().getValue().toStringUtf8());
  }

  @Test
  void aConditionThisBuildDoesNotKnowNeverHolds() {
    write(put("v"));
    OwnerResponse r = write(put("other").setConditionValue(99));
    assertFalse(r.getApplied());
    assertEquals("v", read().getValue().toStringUtf8());
  }
}
