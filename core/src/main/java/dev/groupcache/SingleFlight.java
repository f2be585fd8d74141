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
  /**
   * One flight: the future of its result, to which peers' requests attach; this node's own callers
   * wait on {@link #local}. For flights that peers join, {@code local} is a separate future that
   * completes after everything attached to the result: a future runs its dependents last-attached
   * first, and {@code local} is attached before any other. So an owner sends its peers their values
   * before it wakes its own callers, and the peers' callers wake alongside ours instead of after
   * them; in a herd across three nodes that was most of the tail. A flight is its own result, not a
   * holder of one, so that a fetch (which no peer joins) costs one object, as it did before.
   */
  static final class Flight extends CompletableFuture<ByteView> {
    final CompletableFuture<ByteView> local;

    private Flight(boolean peersJoin) {
      if (!peersJoin) {
        local = this;
        return;
      }
      local = new CompletableFuture<>();
      whenComplete((v, e) -> {
        if (e == null) {
          local.complete(v);
        } else {
          local.completeExceptionally(e);
        }
      });
    }
  }

  private final ConcurrentHashMap<K, Flight> flights = new ConcurrentHashMap<>();
  private final LongAdder joined;
  private final boolean peersJoin;

  /**
   * @param joined counts callers that joined a flight under way
   * @param peersJoin whether peers' requests join these flights, attaching to the flight itself
   */
  SingleFlight(LongAdder joined, boolean peersJoin) {
    this.joined = joined;
    this.peersJoin = peersJoin;
  }

  /**
   * Returns the flight for {@code key}: the one under way, or a new one that {@code start} sets
   * going. {@code start} must arrange for the flight to complete; if it throws, the flight fails
   * with what it threw.
   */
  Flight flight(K key, BiConsumer<K, CompletableFuture<ByteView>> start) {
    Flight existing = flights.get(key);
    if (existing != null) {
      joined.increment();
      return existing;
    }
    Flight mine = new Flight(peersJoin);
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
}
