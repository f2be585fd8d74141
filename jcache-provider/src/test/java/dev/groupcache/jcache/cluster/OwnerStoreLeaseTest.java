package dev.groupcache.jcache.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.groupcache.ByteView;
import dev.groupcache.jcache.proto.Loaded;
import dev.groupcache.jcache.proto.OwnerResponse;
import dev.groupcache.jcache.proto.Read;
import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Read-through leases: when the ring changes under them, and when the owner loads for the reader. */
class OwnerStoreLeaseTest {
  private static final Read LEASE = Read.newBuilder().setLease(true).build();

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final OwnerStore store =
      new OwnerStore(1 << 20, 60_000, RecordedStore.sink(() -> CompletableFuture.completedFuture(null)),
          OwnerStore.Backups.NONE, new CopyGrants(Duration.ofSeconds(2), Ticker.systemTicker(), member -> true), 10_000, timer, Ticker.systemTicker());

  /** The owner's loader for peers' misses: room for one load. */
  private final RecordedLoads loads = new RecordedLoads(1);

  @BeforeEach
  void loadForPeers() {
    store.loadForPeers(loads);
  }

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  @Test
  void waitersOfAKeyThatMovedAwayAskAgainAtOnce() throws Exception {
    ByteView moved = ByteView.of("moved");
    ByteView kept = ByteView.of("kept");
    assertTrue(store.read(moved, LEASE).get().getLease() != 0, "the first reader loads");
    assertTrue(store.read(kept, LEASE).get().getLease() != 0);
    CompletableFuture<OwnerResponse> waitingMoved = store.read(moved, LEASE);
    CompletableFuture<OwnerResponse> waitingKept = store.read(kept, LEASE);
    assertFalse(waitingMoved.isDone(), "a second reader waits for the load");

    store.releaseMoved(key -> !key.equals(moved));

    assertTrue(waitingMoved.get(1, TimeUnit.SECONDS).getRetry(), "asks the new owner instead of waiting");
    assertFalse(waitingKept.isDone(), "a key still owned here keeps its lease and its waiters");
    assertTrue(store.read(moved, LEASE).get().getLease() != 0, "the lease is gone: a new reader may load");
  }

  /** Loads that take a place while {@code places} lasts, recording the leases they start under. */
  private static final class RecordedLoads implements OwnerLoads {
    int places;
    final List<Long> started = new ArrayList<>();

    RecordedLoads(int places) {
      this.places = places;
    }

    @Override
    public boolean reserve() {
      return places-- > 0;
    }

    @Override
    public void start(ByteView key, long lease) {
      started.add(lease);
    }
  }

  @Test
  void aReaderWaitsForTheOwnersLoadAndGetsItsValueAsLoadedForIt() throws Exception {
    // the reader whose miss started the load is told so (a miss there); one that joined it is not
    ByteView key = ByteView.of("k");
    CompletableFuture<OwnerResponse> reader = store.read(key, LEASE, true);
    CompletableFuture<OwnerResponse> another = store.read(key, LEASE, true);
    assertEquals(1, loads.started.size(), "one load, under the owner's own lease");
    assertFalse(reader.isDone() || another.isDone(), "both wait for it; neither gets a lease");

    store.loaded(key, Loaded.newBuilder().setLease(loads.started.get(0)).setHasValue(true)
        .setValue(ByteString.copyFromUtf8("v")).build()).get(1, TimeUnit.SECONDS);

    OwnerResponse first = reader.get(1, TimeUnit.SECONDS);
    assertTrue(first.getPresent() && first.getLoadedForRead(), "loaded for it: " + first);
    assertEquals("v", first.getValue().toStringUtf8());
    OwnerResponse joined = another.get(1, TimeUnit.SECONDS);
    assertTrue(joined.getPresent() && !joined.getLoadedForRead(), "joined a load under way: " + joined);
    assertEquals("v", joined.getValue().toStringUtf8());
    OwnerResponse next = store.read(key, LEASE, true).get(1, TimeUnit.SECONDS);
    assertTrue(next.getPresent() && !next.getLoadedForRead(), "the next reader finds it stored: " + next);
    assertEquals(1, loads.started.size());
  }

  @Test
  void aLoadFailureAtTheOwnerIsTheReadersAnswer() throws Exception {
    ByteView key = ByteView.of("k");
    CompletableFuture<OwnerResponse> reader = store.read(key, LEASE, true);
    store.loaded(key, Loaded.newBuilder().setLease(loads.started.get(0)).setFailure("boom").build());
    OwnerResponse answer = reader.get(1, TimeUnit.SECONDS);
    assertEquals("boom", answer.getLoadFailure());
    assertFalse(answer.getPresent());
  }

  @Test
  void anOwnerWithNoPlaceLeftLetsTheReaderLoad() throws Exception {
    store.read(ByteView.of("a"), LEASE, true);
    OwnerResponse second = store.read(ByteView.of("b"), LEASE, true).get(1, TimeUnit.SECONDS);
    assertTrue(second.getLease() != 0, "the reader loads under the owner's lease: " + second);
    assertEquals(1, loads.started.size());
  }

  @Test
  void theOwnersOwnReadLoadsOnItsOwnThreadEvenWithALoaderForPeers() throws Exception {
    OwnerResponse own = store.read(ByteView.of("k"), LEASE, false).get(1, TimeUnit.SECONDS);
    assertTrue(own.getLease() != 0, "the owner's own reader loads under the lease: " + own);
    assertTrue(loads.started.isEmpty());
  }
}
