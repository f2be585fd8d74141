package dev.groupcache.jcache.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.groupcache.ByteView;
import dev.groupcache.jcache.proto.OwnerResponse;
import dev.groupcache.jcache.proto.Read;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Read-through leases when the ring changes under them. */
class OwnerStoreLeaseTest {
  private static final Read LEASE = Read.newBuilder().setLease(true).build();

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final OwnerStore store =
      new OwnerStore(1 << 20, 60_000, RecordedStore.sink(() -> CompletableFuture.completedFuture(null)),
          OwnerStore.Backups.NONE, new CopyGrants(Duration.ofSeconds(2), Ticker.systemTicker(), member -> true), 10_000, timer, Ticker.systemTicker());

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
}
