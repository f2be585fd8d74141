package dev.groupcache.jcache.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.groupcache.ByteView;
import dev.groupcache.PeerAddress;
import dev.groupcache.jcache.proto.Loaded;
import dev.groupcache.jcache.proto.OwnerResponse;
import dev.groupcache.jcache.proto.Read;
import dev.groupcache.jcache.proto.Write;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An owner's directory at work: reads that keep a copy are recorded, and a change tells exactly them. */
class OwnerStoreHoldersTest {
  private static final ByteView KEY = ByteView.of("k");
  private static final PeerAddress A = PeerAddress.parse("127.0.0.1:2");
  private static final PeerAddress B = PeerAddress.parse("127.0.0.1:3");

  private final RecordedStore recorded = new RecordedStore(1 << 20, 1_000_000_000L);
  private final OwnerStore store = recorded.store;

  @AfterEach
  void stop() {
    recorded.close();
  }

  private static Read holding(PeerAddress holder, long copyMillis) {
    return Read.newBuilder().setHolder(holder.toString()).setCopyMillis(copyMillis).build();
  }

  private OwnerResponse read(Read read) {
    return Answers.now(store.read(KEY, read));
  }

  private void put(String value) {
    Answers.now(store.write(KEY, Write.newBuilder().setValue(ByteString.copyFromUtf8(value)).build()));
  }

  private List<PeerAddress> lastHolders() {
    return recorded.holders.get(recorded.holders.size() - 1);
  }

  @Test
  void aChangeOfAKeyNobodyHoldsTellsNoHolder() {
    put("a");
    put("b");
    assertEquals(List.of(), lastHolders());
  }

  @Test
  void aReadThatKeepsACopyGetsALeaseAndTheNextChangeDropsItsCopy() {
    put("a");
    OwnerResponse r = read(holding(A, 10_000));
    assertEquals(2_000, r.getCopyLeaseMillis());
    assertEquals(recorded.grants.incarnation(), r.getOwnerIncarnation());

    put("b");
    assertEquals(List.of(A), lastHolders());
    put("c");
    assertEquals(List.of(), lastHolders(), "A was told; it holds no copy of b until it reads again");
  }

  @Test
  void aReaderThatWaitedForALoadToKeepACopyGetsALeaseAndTheNextChangeDropsItsCopy() {
    long lease = read(Read.newBuilder().setLease(true).build()).getLease();
    assertTrue(lease != 0, "the first reader loads");
    CompletableFuture<OwnerResponse> holding = store.read(KEY, holding(A, 10_000).toBuilder().setLease(true).build());
    CompletableFuture<OwnerResponse> plain = store.read(KEY, Read.newBuilder().setLease(true).build());
    assertFalse(holding.isDone() || plain.isDone(), "both wait for the load");

    Answers.now(store.loaded(KEY, Loaded.newBuilder().setLease(lease).setHasValue(true)
        .setValue(ByteString.copyFromUtf8("loaded")).build()));

    OwnerResponse r = Answers.now(holding);
    assertEquals("loaded", r.getValue().toStringUtf8());
    assertEquals(2_000, r.getCopyLeaseMillis(), "a copy lease, as a read that finds the entry gets");
    assertEquals(recorded.grants.incarnation(), r.getOwnerIncarnation());
    assertEquals(0, Answers.now(plain).getCopyLeaseMillis(), "a reader that keeps no copy gets none");
    put("b");
    assertEquals(List.of(A), lastHolders(), "the holder that waited is told of the change");
  }

  @Test
  void anEntryHandedBackOverAnotherDropsItsCopiesWithoutAnEvent() {
    put("before the pause");
    read(holding(A, 10_000));
    int events = recorded.events.size();

    assertTrue(store.adopt(KEY, ByteView.of("written by the acting member"), Long.MAX_VALUE / 4, -1, true));

    assertEquals(List.of("k [" + A + "]"), recorded.drops, "A's copy of the replaced entry is dropped");
    assertEquals(events, recorded.events.size(), "its listeners heard of it from the acting member");
    assertTrue(store.adopt(ByteView.of("new"), ByteView.of("v"), Long.MAX_VALUE / 4, -1, true));
    assertEquals(1, recorded.drops.size(), "an entry that replaced nothing has no copies to drop");
  }

  @Test
  void plainReadsAndMissesRecordNoHolder() {
    assertEquals(0, read(holding(A, 10_000)).getCopyLeaseMillis(), "nothing there, nothing to copy");
    put("a");
    read(Read.getDefaultInstance());
    put("b");
    assertEquals(List.of(), lastHolders());
  }

  @Test
  void aHoldingLastsAsLongAsTheCopyCanAndNoLonger() {
    put("a");
    read(holding(A, 1_000));
    read(holding(B, 60_000));
    recorded.ticker.advanceMillis(1_000 + 100); // past A's copy and the margin

    put("b");
    assertEquals(List.of(B), lastHolders());
  }

  @Test
  void aHolderWhoseLeaseIsWithheldKeepsNoCopyAndIsNotRecorded() {
    put("a");
    long bound = recorded.grants.sending(A);
    recorded.grants.unconfirmed(A, bound + 60_000_000_000L); // A missed a drop: no leases for a minute

    assertEquals(0, read(holding(A, 10_000)).getCopyLeaseMillis());
    put("b");
    assertTrue(lastHolders().isEmpty());
  }
}
