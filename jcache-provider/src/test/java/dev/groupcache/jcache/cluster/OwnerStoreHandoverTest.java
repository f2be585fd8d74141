package dev.groupcache.jcache.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.groupcache.ByteView;
import dev.groupcache.jcache.proto.Condition;
import dev.groupcache.jcache.proto.HandedEntry;
import dev.groupcache.jcache.proto.OwnerResponse;
import dev.groupcache.jcache.proto.Read;
import dev.groupcache.jcache.proto.Write;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An owner's side of a hand-over: what it offers when keys move away, what it takes from a key's
 * previous owner, and that nothing newer is ever replaced by what is handed over.
 */
class OwnerStoreHandoverTest {
  private static final ByteView KEY = ByteView.of("k");
  private static final long SECOND = 1_000_000_000L;

  private final RecordedStore recorded = new RecordedStore(1 << 20, SECOND);
  private final OwnerStore store = recorded.store;

  @AfterEach
  void stop() {
    recorded.close();
  }

  private OwnerResponse put(ByteView key, String value) {
    return Answers.now(store.write(key, Write.newBuilder().setValue(ByteString.copyFromUtf8(value)).build()));
  }

  private OwnerResponse read(ByteView key) {
    return Answers.now(store.read(key, Read.getDefaultInstance()));
  }

  @Test
  void offersTheLiveEntriesOfKeysItNoLongerOwnsWithVersionAndRemainingLife() {
    put(ByteView.of("stays"), "s");
    OwnerResponse moved = put(ByteView.of("moves"), "m");
    Answers.now(store.write(ByteView.of("expires"), Write.newBuilder().setValue(ByteString.copyFromUtf8("e"))
        .setCreateTtlMillis(1_000).build()));
    Answers.now(store.write(ByteView.of("lives"), Write.newBuilder().setValue(ByteString.copyFromUtf8("l"))
        .setCreateTtlMillis(5_000).build()));
    recorded.ticker.advanceMillis(2_000);

    List<HandedEntry> offered = store.notOwned(key -> key.equals(ByteView.of("stays")));

    assertEquals(Set.of("moves", "lives"), Set.copyOf(offered.stream().map(e -> e.getKey().toStringUtf8()).toList()),
        "live entries only, never one this node still owns");
    HandedEntry m = offered.stream().filter(e -> e.getKey().toStringUtf8().equals("moves")).findFirst().orElseThrow();
    assertEquals(moved.getVersion(), m.getVersion());
    assertEquals(-1, m.getRemainingMillis(), "no expiry");
    HandedEntry l = offered.stream().filter(e -> e.getKey().toStringUtf8().equals("lives")).findFirst().orElseThrow();
    assertEquals(3_000, l.getRemainingMillis());
  }

  @Test
  void takesAHandedEntryWithItsVersionAndLifeWithoutAnEvent() {
    assertTrue(store.adopt(KEY, ByteView.of("v"), 41, 2_000));

    OwnerResponse r = read(KEY);
    assertEquals("v", r.getValue().toStringUtf8());
    assertEquals(41, r.getVersion(), "a version read at the previous owner still names this entry");
    assertEquals(2_000, r.getRemainingMillis());
    assertTrue(recorded.events.isEmpty(), "nothing changed for the cache's users");
    recorded.ticker.advanceMillis(2_000);
    assertFalse(read(KEY).getPresent(), "it expires when it would have at the previous owner");
  }

  @Test
  void aConditionalWriteOnTheHandedVersionHoldsAndLaterVersionsStayAboveIt() {
    store.adopt(KEY, ByteView.of("v"), 41, -1);
    OwnerResponse w = Answers.now(store.write(KEY, Write.newBuilder().setCondition(Condition.VERSION)
        .setExpectedVersion(41).setValue(ByteString.copyFromUtf8("w")).build()));
    assertTrue(w.getApplied());
    assertTrue(w.getVersion() > 41, "a new version never repeats one the previous owner gave out: " + w.getVersion());
    put(ByteView.of("other"), "o");
    assertTrue(read(ByteView.of("other")).getVersion() > 41);
  }

  @Test
  void neverReplacesAnEntryWrittenHereSinceTheKeyMoved() {
    put(KEY, "new");
    assertFalse(store.adopt(KEY, ByteView.of("old"), Long.MAX_VALUE / 2, -1));
    assertEquals("new", read(KEY).getValue().toStringUtf8());

    Answers.now(store.write(KEY, Write.newBuilder().setRemove(true).build()));
    assertTrue(store.adopt(KEY, ByteView.of("old"), 7, -1), "after a removal there is nothing newer");
  }

  @Test
  void aLaterHandOverOfTheSameKeyReplacesAnEarlierOneButNotTheOtherWayRound() {
    assertTrue(store.adopt(KEY, ByteView.of("first"), 5, -1));
    assertTrue(store.adopt(KEY, ByteView.of("second"), 6, -1));
    assertFalse(store.adopt(KEY, ByteView.of("first again"), 5, -1));
    assertEquals("second", read(KEY).getValue().toStringUtf8());
    put(KEY, "written");
    assertFalse(store.adopt(KEY, ByteView.of("third"), Long.MAX_VALUE / 2, -1), "a write here makes it this owner's");
  }

  @Test
  void forgetsAHandedOffEntryOnlyIfItDidNotChangeMeanwhile() {
    long v1 = put(KEY, "a").getVersion();
    put(ByteView.of("k2"), "b");
    long v2 = Answers.now(store.write(ByteView.of("k2"), Write.newBuilder()
        .setValue(ByteString.copyFromUtf8("c")).build())).getVersion();

    store.handedOff(KEY, v1);
    store.handedOff(ByteView.of("k2"), v2 - 1); // it changed after this version was offered

    assertFalse(read(KEY).getPresent());
    assertEquals("c", read(ByteView.of("k2")).getValue().toStringUtf8(), "offered again by the next round");
    assertEquals(1, store.forgetNotOwned(key -> false));
    assertFalse(read(ByteView.of("k2")).getPresent());
  }

  @Test
  void aRemovalSinceTheRingChangedIsNewerThanTheEntryHandedOverAfterIt() {
    store.ringChanged(recorded.ticker.read());
    Answers.now(store.write(KEY, Write.newBuilder().setRemove(true).build())); // nothing here yet
    assertFalse(store.adopt(KEY, ByteView.of("old"), 7, -1), "a removed entry does not come back");
    assertFalse(read(KEY).getPresent());

    ByteView other = ByteView.of("untouched");
    assertTrue(store.adopt(other, ByteView.of("v"), 7, -1), "keys not written since are taken");
  }

  @Test
  void anEntryWrittenSinceTheRingChangedKeepsAnOlderHandedOneOutAfterItExpiresOrIsRemoved() {
    store.ringChanged(recorded.ticker.read());
    ByteView expires = ByteView.of("expires");
    Answers.now(store.write(expires, Write.newBuilder().setValue(ByteString.copyFromUtf8("new"))
        .setCreateTtlMillis(1_000).build()));
    put(KEY, "new");
    Answers.now(store.write(KEY, Write.newBuilder().setRemove(true).build()));
    recorded.ticker.advanceMillis(1_001);
    assertFalse(read(expires).getPresent());

    assertFalse(store.adopt(expires, ByteView.of("old"), 7, -1), "an expired entry is not replaced by an older one");
    assertFalse(store.adopt(KEY, ByteView.of("old"), 7, -1), "a removed entry does not come back");
    assertFalse(read(KEY).getPresent());
  }

  @Test
  void anEntryEvictedDuringAHandOverKeepsAnOlderHandedOneOut() {
    try (RecordedStore small = new RecordedStore(64 * 1024, SECOND)) {
      small.store.ringChanged(small.ticker.read());
      String kib = "v".repeat(1024);
      for (int i = 0; i < 200; i++) {
        Answers.now(small.store.write(ByteView.of("k" + i), Write.newBuilder()
            .setValue(ByteString.copyFromUtf8(kib)).build()));
      }
      int evicted = 0;
      for (int i = 0; i < 200; i++) {
        ByteView key = ByteView.of("k" + i);
        if (!small.store.has(key)) {
          evicted++;
          assertFalse(small.store.adopt(key, ByteView.of("old"), 7, -1), "k" + i);
        }
      }
      assertTrue(evicted > 100, "evicted " + evicted);
    }
  }
}
