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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Entry expiry at an owner (create, update and access ttls, ttl 0, EXPIRED events), on a clock the test moves. */
class OwnerStoreExpiryTest {
  private static final ByteView KEY = ByteView.of("k");
  private static final Read PLAIN = Read.getDefaultInstance();
  private static final Read QUIET = Read.newBuilder().setQuiet(true).build();

  // deliberately negative: System.nanoTime() may be, and expiry must only use differences
  private final RecordedStore recorded = new RecordedStore(1 << 20, -5_000_000_000L);
  private final OwnerStore store = recorded.store;
  private final FakeTicker ticker = recorded.ticker;
  private final List<Event> events = recorded.events;
  private final AtomicReference<CompletableFuture<String>> publication = recorded.publication;

  @AfterEach
  void stop() {
    recorded.close();
  }

  private static Write.Builder put(String value) {
    return Write.newBuilder().setValue(ByteString.copyFromUtf8(value));
  }

  private OwnerResponse write(Write.Builder write) {
    return Answers.now(store.write(KEY, write.build()));
  }

  private OwnerResponse read(Read read) {
    return Answers.now(store.read(KEY, read));
  }

  private OwnerResponse read() {
    return read(PLAIN);
  }

  private OwnerResponse peek() {
    return read(QUIET);
  }

  private static Read access(long ttlMillis) {
    return Read.newBuilder().setAccessTtlMillis(ttlMillis).build();
  }

  private List<EventType> eventTypes() {
    return events.stream().map(Event::getType).toList();
  }

  @Test
  void anEntryLivesItsCreateTtlAndNoLonger() {
    write(put("a").setCreateTtlMillis(1_000));

    ticker.advanceMillis(999);
    assertTrue(read().getPresent(), "one millisecond left");
    ticker.advanceMillis(1);
    assertFalse(read().getPresent(), "expired at its deadline");
  }

  @Test
  void answersSayHowLongTheEntryHasLeft() {
    assertEquals(1_000, write(put("a").setCreateTtlMillis(1_000)).getRemainingMillis());
    ticker.advanceMillis(400);
    assertEquals(600, read().getRemainingMillis());
    assertEquals(600, peek().getRemainingMillis());
  }

  @Test
  void anEntryWithoutTtlNeverExpires() {
    write(put("a"));

    ticker.advanceMillis(TimeUnit.DAYS.toMillis(365));

    OwnerResponse r = read();
    assertTrue(r.getPresent());
    assertEquals(-1, r.getRemainingMillis(), "-1: forever");
  }

  @Test
  void anUpdateTtlGivesTheEntryANewLife() {
    write(put("a").setCreateTtlMillis(1_000));
    ticker.advanceMillis(500);

    OwnerResponse r = write(put("b").setUpdateTtlMillis(2_000));

    assertEquals(2_000, r.getRemainingMillis());
    ticker.advanceMillis(1_999);
    assertEquals("b", read().getValue().toStringUtf8());
    ticker.advanceMillis(1);
    assertFalse(read().getPresent());
  }

  @Test
  void anUpdateWithoutUpdateTtlLeavesTheExpiryAsItWas() {
    write(put("a").setCreateTtlMillis(1_000));
    ticker.advanceMillis(400);

    OwnerResponse r = write(put("b").setCreateTtlMillis(60_000)); // a create ttl does not apply to an update

    assertEquals(600, r.getRemainingMillis());
    ticker.advanceMillis(599);
    assertEquals("b", read().getValue().toStringUtf8());
    ticker.advanceMillis(1);
    assertFalse(read().getPresent());
  }

  @Test
  void anUpdateTtlOfMinusOneLeavesTheExpiryAsItWas() {
    write(put("a").setCreateTtlMillis(1_000));
    ticker.advanceMillis(400);

    assertEquals(600, write(put("b").setUpdateTtlMillis(-1)).getRemainingMillis());
    ticker.advanceMillis(600);
    assertFalse(read().getPresent());
  }

  @Test
  void anUpdateOfAnEternalEntryWithoutTtlLeavesItEternal() {
    write(put("a"));

    assertEquals(-1, write(put("b").setCreateTtlMillis(1_000)).getRemainingMillis());
  }

  @Test
  void anAccessTtlOnAReadGivesTheEntryANewLife() {
    write(put("a").setCreateTtlMillis(1_000));
    ticker.advanceMillis(900);

    assertTrue(read(access(1_000)).getPresent());

    assertEquals(1_000, peek().getRemainingMillis());
    ticker.advanceMillis(999);
    assertTrue(read().getPresent(), "past the create ttl, within the access ttl");
    ticker.advanceMillis(1);
    assertFalse(read().getPresent());
  }

  @Test
  void aReadWithoutAccessTtlLeavesTheExpiry() {
    write(put("a").setCreateTtlMillis(1_000));
    ticker.advanceMillis(300);

    read();
    read(access(-1));

    assertEquals(700, peek().getRemainingMillis());
  }

  @Test
  void aQuietReadDoesNotChangeTheExpiry() {
    write(put("a").setCreateTtlMillis(1_000));
    ticker.advanceMillis(900);

    OwnerResponse r = read(Read.newBuilder().setQuiet(true).setAccessTtlMillis(60_000).build());
    assertTrue(r.getPresent());
    OwnerResponse zero = read(Read.newBuilder().setQuiet(true).setAccessTtlMillis(0).build());
    assertTrue(zero.getPresent(), "not even an access ttl of 0 applies");

    assertEquals(100, peek().getRemainingMillis());
    assertEquals(List.of(EventType.CREATED), eventTypes());
  }

  @Test
  void aCreationWithTtlZeroStoresNothingAndPublishesNothing() {
    OwnerResponse r = write(put("a").setCreateTtlMillis(0));

    assertTrue(r.getApplied());
    assertEquals(0, r.getVersion(), "expired on arrival: no entry");
    assertFalse(read().getPresent());
    assertEquals(List.of(), events);
  }

  @Test
  void anUpdateWithTtlZeroExpiresTheEntry() {
    write(put("a"));

    OwnerResponse r = write(put("b").setUpdateTtlMillis(0));

    assertTrue(r.getApplied());
    assertTrue(r.getPresent());
    assertEquals(0, r.getVersion());
    assertFalse(read().getPresent());
    Event expired = events.get(1);
    assertEquals(List.of(EventType.CREATED, EventType.EXPIRED), eventTypes());
    assertEquals("a", expired.getOldValue().toStringUtf8(), "the entry that expired is the old one");
    assertFalse(expired.getHasValue());
  }

  @Test
  void anAccessTtlOfZeroAnswersTheValueThenExpiresTheEntry() {
    write(put("a"));

    OwnerResponse r = read(access(0));

    assertTrue(r.getPresent(), "the value as read");
    assertEquals("a", r.getValue().toStringUtf8());
    assertFalse(peek().getPresent());
    assertEquals(List.of(EventType.CREATED, EventType.EXPIRED), eventTypes());
  }

  @Test
  void aWriteWhoseConditionFailedAppliesItsAccessTtl() {
    write(put("a").setCreateTtlMillis(1_000));
    ticker.advanceMillis(900);

    OwnerResponse r = write(put("b").setCondition(Condition.ABSENT).setAccessTtlMillis(5_000));

    assertFalse(r.getApplied());
    assertEquals(5_000, peek().getRemainingMillis());
    assertEquals("a", peek().getValue().toStringUtf8());
  }

  @Test
  void anEntryFoundExpiredPublishesExpiredBeforeTheReadAnswers() {
    write(put("a").setCreateTtlMillis(1_000));
    ticker.advanceMillis(1_000);
    CompletableFuture<String> applied = new CompletableFuture<>();
    publication.set(applied);

    CompletableFuture<OwnerResponse> answer = store.read(KEY, PLAIN);

    assertEquals(List.of(EventType.CREATED, EventType.EXPIRED), eventTypes());
    assertEquals("a", events.get(1).getOldValue().toStringUtf8());
    assertFalse(answer.isDone(), "answered only once the expiry was applied everywhere");
    applied.complete(null);
    assertFalse(Answers.now(answer).getPresent());
  }

  @Test
  void aWriteOverAnExpiredEntryPublishesExpiredThenCreated() {
    write(put("a").setCreateTtlMillis(1_000));
    ticker.advanceMillis(2_000);

    OwnerResponse r = write(put("b").setCondition(Condition.ABSENT).setReturnOld(true));

    assertTrue(r.getApplied(), "an expired entry is no entry");
    assertFalse(r.getPresent());
    assertTrue(r.getValue().isEmpty(), "nor has it an old value");
    assertEquals(List.of(EventType.CREATED, EventType.EXPIRED, EventType.CREATED), eventTypes());
    assertEquals("a", events.get(1).getOldValue().toStringUtf8());
    assertEquals("b", events.get(2).getValue().toStringUtf8());
  }

  @Test
  void anExpiredEntryIsExpiredOnlyOnce() {
    write(put("a").setCreateTtlMillis(1_000));
    ticker.advanceMillis(1_000);

    read();
    read();
    write(Write.newBuilder().setRemove(true));

    assertEquals(List.of(EventType.CREATED, EventType.EXPIRED), eventTypes());
  }

  @Test
  void aLoadedValueLivesItsCreateTtl() {
    long lease = read(Read.newBuilder().setLease(true).build()).getLease();
    assertNotEquals(0, lease);

    OwnerResponse r = Answers.now(store.loaded(KEY, Loaded.newBuilder().setLease(lease).setHasValue(true)
        .setValue(ByteString.copyFromUtf8("loaded")).setCreateTtlMillis(1_000).build()));

    assertEquals(1_000, r.getRemainingMillis());
    ticker.advanceMillis(1_000);
    assertFalse(read().getPresent());
  }

  @Test
  void aLoadedValueWithTtlZeroIsNotStored() {
    long lease = read(Read.newBuilder().setLease(true).build()).getLease();

    OwnerResponse r = Answers.now(store.loaded(KEY, Loaded.newBuilder().setLease(lease).setHasValue(true)
        .setValue(ByteString.copyFromUtf8("loaded")).setCreateTtlMillis(0).build()));

    assertFalse(r.getPresent(), "expired on arrival");
    assertEquals(0, r.getVersion());
    assertFalse(read().getPresent());
    assertEquals(List.of(), events);
  }

  @Test
  void aLoadOverAnEntryFoundExpiredPublishesExpiredBeforeCreated() {
    long lease = read(Read.newBuilder().setLease(true).build()).getLease();
    write(put("theirs").setCreateTtlMillis(1_000)); // someone put while it loaded
    ticker.advanceMillis(1_000);

    Answers.now(store.loaded(KEY, Loaded.newBuilder().setLease(lease).setHasValue(true)
        .setValue(ByteString.copyFromUtf8("loaded")).build()));

    assertEquals(List.of(EventType.CREATED, EventType.EXPIRED, EventType.CREATED), eventTypes());
  }

  private void put(String key, long ttlMillis) {
    Write.Builder w = put("v-" + key);
    if (ttlMillis >= 0) {
      w.setCreateTtlMillis(ttlMillis);
    }
    Answers.now(store.write(ByteView.of(key), w.build()));
  }

  private List<String> expiredKeys() {
    return events.stream().filter(e -> e.getType() == EventType.EXPIRED).map(e -> e.getKey().toStringUtf8()).sorted()
        .toList();
  }

  @Test
  void entriesNobodyReadsAreReclaimedBySweepsWithTheirExpiredEvents() {
    put("soon", 1_000);
    put("later", 10_000);
    put("never", -1);
    store.sweepExpired(100);
    assertEquals(List.of(), expiredKeys(), "nothing is due yet");

    ticker.advanceMillis(1_000);
    store.sweepExpired(100);
    assertEquals(List.of("soon"), expiredKeys());
    assertEquals(2, store.size());

    ticker.advanceMillis(9_000);
    store.sweepExpired(100);
    assertEquals(List.of("later", "soon"), expiredKeys());
    assertEquals(1, store.size(), "the eternal entry stays");
    store.sweepExpired(100);
    assertEquals(2, expiredKeys().size(), "an entry expires once");
  }

  @Test
  void aSweepLooksAtNoMoreThanItsBudgetAndTheNextGoesOnFromThere() {
    for (int i = 0; i < 5; i++) {
      put("k" + i, 1_000);
    }
    ticker.advanceMillis(1_000);

    store.sweepExpired(2);
    assertEquals(2, expiredKeys().size());
    store.sweepExpired(2);
    assertEquals(4, expiredKeys().size());
    store.sweepExpired(2);
    assertEquals(List.of("k0", "k1", "k2", "k3", "k4"), expiredKeys());
    assertEquals(0, store.size());
  }

  @Test
  void anEntryThatExpiresWrittenAfterASweepFoundNoneIsReclaimedByTheNext() {
    put("never", -1);
    store.sweepExpired(100); // finds nothing that expires: later sweeps skip the store
    store.sweepExpired(100);

    put("soon", 1_000);
    ticker.advanceMillis(1_000);
    store.sweepExpired(100);

    assertEquals(List.of("soon"), expiredKeys());
  }

  @Test
  void anEntryFoundOwnedIsServedWithoutAskingTheRingAgainUntilTheRingChanges() {
    put("k", -1);
    java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicBoolean owned = new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.function.Predicate<ByteView> ring = key -> {
      asked.incrementAndGet();
      return owned.get();
    };
    ByteView k = ByteView.of("k");

    assertEquals("v-k", store.liveValue(k, ring).toStringUtf8());
    assertEquals("v-k", store.liveValue(k, ring).toStringUtf8());
    assertEquals(1, asked.get(), "asked once");

    owned.set(false);
    store.ringChanged(ticker.read());
    assertEquals(null, store.liveValue(k, ring), "the key moved away with the ring");
    assertEquals(2, asked.get());
    assertEquals(null, store.liveValue(ByteView.of("absent"), ring));
    assertEquals(2, asked.get(), "an absent key costs no lookup");
  }
}
