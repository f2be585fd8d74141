package dev.groupcache;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * Runs at most one flight (a load or a fetch) per key at a time; concurrent callers of the same key
 * share its result.
 *
 * <p>A flight is a future, not a thread: whoever starts it only sets it going, and every caller,
 * the starter included, waits for the future with its own deadline. So no caller's timeout or
 * interrupt is the flight's. A flight leaves the map as soon as it completes in any way, including
 * a starter that throws, so a key is never wedged.
 */
final class SingleFlight<K> {
  private final ConcurrentHashMap<K, CompletableFuture<ByteView>> flights = new ConcurrentHashMap<>();
  private final LongAdder joined;

  /** @param joined counts callers that joined a flight under way */
  SingleFlight(LongAdder joined) {
    this.joined = joined;
  }

  /**
   * Returns the flight for {@code key}: the one under way, or a new one that {@code start} sets
   * going. {@code start} must arrange for the future to complete; if it throws, the flight fails
   * with what it threw.
   */
  CompletableFuture<ByteView> flight(K key, BiConsumer<K, CompletableFuture<ByteView>> start) {
    CompletableFuture<ByteView> existing = flights.get(key);
    if (existing != null) {
      joined.increment();
      return existing;
    }
    CompletableFuture<ByteView> mine = new CompletableFuture<>();
    existing = flights.putIfAbsent(key, mine);
    if (existing != null) {
      joined.increment();
      return existing;
    }
    mine.whenComplete((v, e) -> flights.remove(key, mine));
    try {
      start.accept(key, mine);
    } catch (Throwable t) {
      mine.completeExceptionally(t);
    }
    return mine;
  }

  int size() {
    return flights.size();
  }
}
