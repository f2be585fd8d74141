package dev.groupcache.jcache.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.protobuf.ByteString;
import dev.groupcache.ByteView;
import dev.groupcache.jcache.proto.BackedEntry;
import dev.groupcache.jcache.proto.HandedEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackupStoreTest {
  private final FakeTicker ticker = new FakeTicker(1_000_000_000L);
  private final BackupStore store = new BackupStore(1 << 20, ticker);

  private static ByteView key(String k) {
    return ByteView.copyOf(k.getBytes(StandardCharsets.UTF_8));
  }

  private static BackedEntry entry(String k, String v, long version, long remainingMillis) {
    return BackedEntry.newBuilder().setKey(ByteString.copyFromUtf8(k)).setValue(ByteString.copyFromUtf8(v))
        .setVersion(version).setRemainingMillis(remainingMillis).build();
  }

  private static BackedEntry removal(String k, long version) {
    return BackedEntry.newBuilder().setKey(ByteString.copyFromUtf8(k)).setVersion(version).setRemoved(true).build();
  }

  @Test
  void keepsTheHighestVersionWhateverOrderBackupsArriveIn() {
    store.keep(entry("k", "v2", 2, -1));
    store.keep(entry("k", "v1", 1, -1)); // late on the wire
    HandedEntry e = store.peek(key("k"));
    assertEquals("v2", e.getValue().toStringUtf8());
    assertEquals(2, e.getVersion());
    assertEquals(-1, e.getRemainingMillis());
  }

  @Test
  void aRemovalHidesEarlierVersionsThatArriveAfterIt() {
    store.keep(entry("k", "v1", 1, -1));
    store.keep(removal("k", 3));
    store.keep(entry("k", "v2", 2, -1)); // older than the removal
    assertNull(store.peek(key("k")));
    store.keep(entry("k", "v4", 4, -1));
    assertEquals("v4", store.peek(key("k")).getValue().toStringUtf8());
  }

  @Test
  void expiresAsTheOwnerSaidAndTellsTheRemainingLife() {
    store.keep(entry("k", "v", 1, 1_000));
    ticker.advanceMillis(400);
    assertEquals(600, store.peek(key("k")).getRemainingMillis());
    ticker.advanceMillis(600);
    assertNull(store.peek(key("k")));
  }

  @Test
  void takeRemovesAndSortAdoptsOwnedKeysAndDropsThoseNoLongerKept() {
    store.keep(entry("mine", "a", 1, -1));
    store.keep(entry("kept", "b", 1, -1));
    store.keep(entry("gone", "c", 1, -1));
    store.keep(removal("dead", 2));
    List<String> adopted = new ArrayList<>();
    store.sort(k -> k.equals(key("mine")) || k.equals(key("dead")), k -> k.equals(key("kept")),
        (k, e) -> adopted.add(e.getKey().toStringUtf8() + "=" + e.getValue().toStringUtf8()));
    assertEquals(List.of("mine=a"), adopted, "a tombstone is not adopted");
    assertNull(store.peek(key("mine")));
    assertNull(store.peek(key("gone")));
    assertEquals("b", store.take(key("kept")).getValue().toStringUtf8());
    assertNull(store.peek(key("kept")));
  }

  @Test
  void theSweepReclaimsExpiredBackupsAndTombstonesOnlyAndGoesOnWhereItStopped() {
    for (int i = 0; i < 10; i++) {
      store.keep(entry("short" + i, "v", 1, 1_000));
    }
    store.keep(entry("long", "v", 1, 60_000));
    store.keep(entry("eternal", "v", 1, -1));
    store.keep(removal("removed", 2));
    ticker.advanceMillis(1_000);
    assertEquals(13, store.size(), "nothing goes until a sweep");
    assertNull(store.peek(key("short0")), "but an expired backup is never handed out");

    for (int call = 0; call < 4; call++) {
      store.sweepExpired(4); // 13 entries, 4 at a time: one pass
    }
    assertEquals(3, store.size(), "the ten expired ones went");
    assertEquals("v", store.peek(key("long")).getValue().toStringUtf8());

    ticker.advanceMillis(BackupStore.TOMBSTONE_LIFE.toMillis());
    store.sweepExpired(100);
    assertEquals(2, store.size(), "the tombstone went after its life");
    store.keep(entry("removed", "older", 1, -1));
    assertEquals("older", store.peek(key("removed")).getValue().toStringUtf8(), "nothing holds it back now");
  }

  @Test
  void aKeepOfABackupThatExpiresStartsAPassAfterOneThatFoundNone() {
    store.keep(entry("eternal", "v", 1, -1));
    store.sweepExpired(100);
    store.keep(entry("late", "v", 1, 10));
    ticker.advanceMillis(10);
    store.sweepExpired(100);
    assertNull(store.peek(key("late")));
    assertEquals(1, store.size(), "a keep of one that expires starts the next pass");
  }
}
