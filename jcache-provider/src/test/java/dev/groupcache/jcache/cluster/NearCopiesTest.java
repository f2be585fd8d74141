package dev.groupcache.jcache.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.groupcache.ByteView;
import dev.groupcache.PeerAddress;
import dev.groupcache.jcache.proto.OwnerResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Near copies' lifetimes (near ttl, the entry's remaining life) and their drops, on a clock the test moves. */
class NearCopiesTest {
  private static final Duration NEAR_TTL = Duration.ofSeconds(10);
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);
  private static final ByteView KEY = ByteView.of("k");
  private static final ByteView OTHER = ByteView.of("other");
  private static final PeerAddress OWNER = PeerAddress.parse("127.0.0.1:2");

  private final FakeTicker ticker = new FakeTicker(-3_000_000_000L);
  private final NearCopies near = new NearCopies(1 << 20, NEAR_TTL, READ_TIMEOUT, ticker);
  private final HeldLease held = HeldLease.from(OWNER, ticker);


  private static OwnerResponse read(String value, long remainingMillis) {
    return OwnerResponse.newBuilder().setPresent(true).setValue(ByteString.copyFromUtf8(value)).setVersion(1)
        .setRemainingMillis(remainingMillis).build();
  }

  /** The copy as served when the key's owner is {@code owner}, {@code available} or not. */
  private ByteView served(ByteView key, PeerAddress owner, boolean available) {
    return near.get(key, new NearCopies.Owners() {
      @Override
      public PeerAddress ownerElsewhere(ByteView k) {
        return owner;
      }

      @Override
      public boolean isAvailable(PeerAddress member) {
        return available;
      }
    });
  }

  private String copy(ByteView key) {
    ByteView v = served(key, OWNER, true);
    return v == null ? null : v.toStringUtf8();
  }

  /** Keeps what a read sent now and answered at once returned. */
  private void keepNow(ByteView key, String value, long remainingMillis) {
    keep(key, read(value, remainingMillis), near.beginRead());
  }

  /** Keeps what a read sent now when the counter stood at {@code before} returned. */
  private void keep(ByteView key, OwnerResponse r, long before) {
    near.keep(key, r, before, ticker.read(), held.lease(), held.term());
  }

  @Test
  void aCopyIsServedUntilTheNearTtlPasses() {
    keepNow(KEY, "v", 60_000);

    ticker.advanceMillis(NEAR_TTL.toMillis() - 1);
    assertEquals("v", copy(KEY));
    ticker.advanceMillis(1);
    assertNull(copy(KEY), "the entry lives on at its owner, but a copy only nearTtl");
  }

  @Test
  void aCopyNeverOutlivesItsEntrysRemainingLife() {
    keepNow(KEY, "v", 3_000);

    ticker.advanceMillis(2_999);
    assertEquals("v", copy(KEY));
    ticker.advanceMillis(1);
    assertNull(copy(KEY), "the entry has expired at its owner");
  }

  @Test
  void aCopyOfAnEntryThatNeverExpiresLivesTheNearTtl() {
    keepNow(KEY, "v", -1);

    ticker.advanceMillis(NEAR_TTL.toMillis() - 1);
    assertEquals("v", copy(KEY));
    ticker.advanceMillis(1);
    assertNull(copy(KEY));
  }

  @Test
  void aCopyOfAnEntryWithNoLifeLeftIsNotKept() {
    keepNow(KEY, "v", 0);

    assertNull(copy(KEY));
  }

  @Test
  void aNewerReadReplacesTheCopyWithItsValueAndLife() {
    keepNow(KEY, "v1", 1_000);
    ticker.advanceMillis(500);
    keepNow(KEY, "v2", 5_000);

    ticker.advanceMillis(1_000);
    assertEquals("v2", copy(KEY), "the first copy's life has passed, not the second's");
    ticker.advanceMillis(4_000);
    assertNull(copy(KEY));
  }

  @Test
  void aDropForgetsThatKeysCopyOnly() {
    keepNow(KEY, "v", -1);
    keepNow(OTHER, "o", -1);

    near.drop(KEY);

    assertNull(copy(KEY));
    assertEquals("o", copy(OTHER));
  }

  @Test
  void dropAllForgetsEveryCopy() {
    keepNow(KEY, "v", -1);
    keepNow(OTHER, "o", -1);

    near.dropAll();

    assertNull(copy(KEY));
    assertNull(copy(OTHER));
  }

  @Test
  void aCopyReadBeforeADropOfItsKeyIsNotKept() {
    long before = near.beginRead();
    near.drop(KEY);

    keep(KEY, read("stale", -1), before);

    assertNull(copy(KEY));
  }

  @Test
  void aCopyReadBeforeADropOfAnotherKeyIsKept() {
    long before = near.beginRead();
    near.drop(OTHER);

    keep(KEY, read("v", -1), before);

    assertEquals("v", copy(KEY));
  }

  @Test
  void aCopyReadAfterADropIsKept() {
    near.drop(KEY);

    keepNow(KEY, "fresh", -1);

    assertEquals("fresh", copy(KEY));
  }

  @Test
  void aCopyReadBeforeAClearIsNotKept() {
    long before = near.beginRead();
    near.dropAll();

    keep(KEY, read("stale", -1), before);

    assertNull(copy(KEY));
  }

  @Test
  void aCopyReadAfterAClearIsKept() {
    near.dropAll();

    keepNow(KEY, "fresh", -1);

    assertEquals("fresh", copy(KEY));
  }

  @Test
  void aDropIsRememberedForAsLongAsAReadMayBeInFlight() {
    long before = near.beginRead();
    near.drop(KEY);

    ticker.advanceMillis(2 * READ_TIMEOUT.toMillis()); // an answer this late has failed its read long ago
    keep(KEY, read("stale", -1), before);

    assertNull(copy(KEY));
  }

  @Test
  void aDropWithNoReadInFlightRemembersNothing() {
    near.drop(KEY); // every write of this node drops its copy: with nobody reading, that is all it costs
    assertEquals(0, near.rememberedDrops());

    long before = near.beginRead();
    near.drop(KEY);
    assertEquals(1, near.rememberedDrops(), "a read in flight must learn of the drop");
    keep(KEY, read("old", -1), before);
    near.endRead();
    assertNull(copy(KEY));
  }

  @Test
  void aReadEndedWithoutKeepingLetsDropsGoUnrememberedAgain() {
    near.beginRead();
    near.endRead();
    near.drop(KEY);
    assertEquals(0, near.rememberedDrops());
  }

  @Test
  void aReadBegunAfterAnUnrememberedDropKeepsWhatItRead() {
    near.drop(KEY);
    long before = near.beginRead();
    keep(KEY, read("new", -1), before);
    near.endRead();
    assertEquals("new", copy(KEY));
  }

  @Test
  void aDropDuringAnotherKeysReadIsRememberedAndStopsOnlyItsKey() {
    long before = near.beginRead();
    near.drop(OTHER);
    keep(KEY, read("v", -1), before);
    keep(OTHER, read("old", -1), before);
    near.endRead();
    assertEquals("v", copy(KEY));
    assertNull(copy(OTHER));
  }

  @Test
  void everyDropAndClearMovesTheChangeCounter() {
    long start = near.beginRead();
    near.drop(KEY);
    long afterDrop = near.beginRead();
    near.dropAll();

    assertTrue(afterDrop > start);
    assertTrue(near.beginRead() > afterDrop);
  }

  @Test
  void noCopiesAreKeptWithoutABudgetOrALifetime() {
    assertNull(NearCopies.of(0, NEAR_TTL, READ_TIMEOUT, ticker));
    assertNull(NearCopies.of(1 << 20, Duration.ZERO, READ_TIMEOUT, ticker));
    assertNull(NearCopies.of(1 << 20, Duration.ofSeconds(-1), READ_TIMEOUT, ticker));
    assertNotNull(NearCopies.of(1, Duration.ofNanos(1), READ_TIMEOUT, ticker));
  }

  @Test
  void aCopyIsServedOnlyWhileItsLeaseRuns() {
    CopyLease lease = new CopyLease(OWNER, ticker.read());
    long term = lease.renew(ticker.read(), 2_000_000_000L, 1, ticker.read(), () -> {});
    near.keep(KEY, read("v", -1), near.beginRead(), ticker.read(), lease, term);

    ticker.advanceMillis(1_999);
    assertEquals("v", copy(KEY));
    ticker.advanceMillis(1);
    assertNull(copy(KEY), "no word from the owner for a lease: a drop may have been missed");
    lease.renew(ticker.read(), 2_000_000_000L, 1, ticker.read(), () -> {});
    assertNull(copy(KEY), "a renewal after it ran out starts a term without the old copies");
  }

  @Test
  void aCopyIsServedOnlyWhileItsOwnerOwnsTheKey() {
    keepNow(KEY, "v", -1);
    assertNull(served(KEY, PeerAddress.parse("127.0.0.1:3"), true),
        "the key moved: its new owner knows nothing of this copy");
  }

  @Test
  void aValueLoadedHereIsServedOnlyWhileItsOwnerIsUnavailable() {
    near.keepLoaded(KEY, ByteView.of("loaded here"), near.beginRead());

    assertEquals("loaded here", served(KEY, OWNER, false).toStringUtf8());
    assertNull(served(KEY, OWNER, true), "the owner is back: its entry, not ours");
  }
}
