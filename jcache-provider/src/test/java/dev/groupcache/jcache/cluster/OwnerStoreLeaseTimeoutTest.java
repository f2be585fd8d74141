package dev.groupcache.jcache.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.groupcache.ByteView;
import dev.groupcache.jcache.proto.Loaded;
import dev.groupcache.jcache.proto.OwnerResponse;
import dev.groupcache.jcache.proto.Read;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Read-through leases that run out, on a timer whose tasks run when the test says so. */
class OwnerStoreLeaseTimeoutTest {
  private static final long LEASE_MILLIS = 30_000;
  private static final ByteView KEY = ByteView.of("k");
  private static final Read LEASE = Read.newBuilder().setLease(true).build();

  /** Records what is scheduled instead of running it; its futures never fire on their own. */
  private static final class ManualTimer extends ScheduledThreadPoolExecutor {
    final List<Runnable> tasks = new CopyOnWriteArrayList<>();
    final List<Long> delaysNanos = new CopyOnWriteArrayList<>();
    final List<ScheduledFuture<?>> futures = new CopyOnWriteArrayList<>();

    ManualTimer() {
      super(1);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
      tasks.add(task);
      delaysNanos.add(unit.toNanos(delay));
      ScheduledFuture<?> f = super.schedule(() -> { }, 1, TimeUnit.DAYS);
      futures.add(f);
      return f;
    }

    /** Runs the {@code i}th scheduled task, as if its delay had passed. */
    void fire(int i) {
      tasks.get(i).run();
    }
  }

  private final ManualTimer timer = new ManualTimer();
  private final OwnerStore store = new OwnerStore(1 << 20, LEASE_MILLIS,
      RecordedStore.sink(() -> CompletableFuture.completedFuture(null)),
      OwnerStore.Backups.NONE, new CopyGrants(Duration.ofSeconds(2), new AtomicLong()::get, member -> true), 10_000, timer, new AtomicLong()::get);

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  private long lease() {
    CompletableFuture<OwnerResponse> r = store.read(KEY, LEASE);
    assertTrue(r.isDone(), "a reader that may load is answered at once");
    long lease = r.join().getLease();
    assertNotEquals(0, lease);
    return lease;
  }


  private static Loaded loaded(long lease, String value) {
    return Loaded.newBuilder().setLease(lease).setHasValue(true).setValue(ByteString.copyFromUtf8(value)).build();
  }

  @Test
  void aLeaseRunsOutAfterTheLoadTimeout() {
    lease();

    assertEquals(List.of(TimeUnit.MILLISECONDS.toNanos(LEASE_MILLIS)), timer.delaysNanos);
  }

  @Test
  void whenALeaseRunsOutItsWaitersAskAgainAndTheNextReaderLoads() {
    long first = lease();
    CompletableFuture<OwnerResponse> waiting = store.read(KEY, LEASE);
    assertFalse(waiting.isDone());

    timer.fire(0);

    assertTrue(waiting.isDone());
    assertTrue(waiting.join().getRetry(), "the waiter asks again rather than waits for a loader gone silent");
    long second = lease();
    assertNotEquals(first, second, "a new lease, so the first loader's report is not taken for the new one's");
  }

  @Test
  void aReportedLoadCancelsItsTimeout() {
    long lease = lease();

    store.loaded(KEY, loaded(lease, "v"));

    assertTrue(timer.futures.get(0).isCancelled());
  }

  @Test
  void anOldLeasesTimeoutDoesNotEndANewerLease() {
    long first = lease();
    store.loaded(KEY, Loaded.newBuilder().setLease(first).build()); // loaded nothing: the key stays absent
    lease();
    CompletableFuture<OwnerResponse> waiting = store.read(KEY, LEASE);

    timer.fire(0); // the first lease's timeout, had its cancellation come too late

    assertFalse(waiting.isDone(), "still waiting for the second lease's load");
    timer.fire(1);
    assertTrue(waiting.isDone());
    assertTrue(waiting.join().getRetry());
  }

  @Test
  void aLoaderReportingAfterItsLeaseRanOutStoresItsValueIfTheKeyIsStillAbsent() {
    long late = lease();
    timer.fire(0);

    OwnerResponse r = Answers.now(store.loaded(KEY, loaded(late, "late")));

    assertTrue(r.getApplied());
    assertEquals("late", Answers.now(store.read(KEY, Read.getDefaultInstance())).getValue().toStringUtf8());
  }

  @Test
  void theCurrentLeasesWaitersGetWhatALateLoaderStored() {
    long late = lease();
    timer.fire(0);
    long current = lease();
    CompletableFuture<OwnerResponse> waiting = store.read(KEY, LEASE);
    store.loaded(KEY, loaded(late, "late"));

    OwnerResponse r = Answers.now(store.loaded(KEY, loaded(current, "current")));

    assertFalse(r.getApplied(), "the late loader's value was there first");
    assertEquals("late", r.getValue().toStringUtf8());
    assertTrue(waiting.isDone());
    assertEquals("late", waiting.join().getValue().toStringUtf8());
  }
}
