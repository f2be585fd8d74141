package dev.groupcache.jcache.cluster;

import dev.groupcache.ByteView;
import dev.groupcache.PeerAddress;
import dev.groupcache.jcache.proto.Event;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An owner store on a {@link FakeTicker} whose events are recorded, and applied at once unless a
 * test sets the {@link #publication} they answer with.
 */
final class RecordedStore implements AutoCloseable {
  final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  final FakeTicker ticker;
  final List<Event> events = new CopyOnWriteArrayList<>();
  /** The holders each published event went to, in the order of {@link #events}. */
  final List<List<PeerAddress>> holders = new CopyOnWriteArrayList<>();
  /** The copies dropped without an event, as "key [holders]". */
  final List<String> drops = new CopyOnWriteArrayList<>();
  /** What publishing an event answers with; null: applied everywhere at once. */
  final AtomicReference<CompletableFuture<String>> publication = new AtomicReference<>();
  final CopyGrants grants;
  final OwnerStore store;

  RecordedStore(long maxBytes, long startNanos) {
    this.ticker = new FakeTicker(startNanos);
    this.grants = new CopyGrants(Duration.ofSeconds(2), ticker, member -> true);
    this.store = new OwnerStore(maxBytes, 60_000, new OwnerStore.EventSink() {
      @Override
      public CompletableFuture<String> publish(Event event, List<PeerAddress> holders) {
        events.add(event);
        RecordedStore.this.holders.add(holders);
        CompletableFuture<String> p = publication.get();
        return p != null ? p : CompletableFuture.completedFuture(null);
      }

      @Override
      public CompletableFuture<String> drop(ByteView key, List<PeerAddress> holders) {
        drops.add(key.toStringUtf8() + " " + holders);
        return CompletableFuture.completedFuture(null);
      }
    }, OwnerStore.Backups.NONE, grants, 10_000, timer, ticker);
  }

  /** An event sink that applies every change at once: {@code publish} answers each event. */
  static OwnerStore.EventSink sink(java.util.function.Supplier<CompletableFuture<String>> publish) {
    return new OwnerStore.EventSink() {
      @Override
      public CompletableFuture<String> publish(Event event, List<PeerAddress> holders) {
        return publish.get();
      }

      @Override
      public CompletableFuture<String> drop(ByteView key, List<PeerAddress> holders) {
        return CompletableFuture.completedFuture(null);
      }
    };
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
