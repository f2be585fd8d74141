package dev.groupcache;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many requests each peer has in flight at this node, bounded: a peer that asks for more
 * work than {@link #perPeer} at once is refused the excess with {@code RESOURCE_EXHAUSTED}, so
 * that no peer can make this node hold unbounded state (waiting loads, calls, their answers).
 * Peers are told apart by the IP address their connections come from, whatever they declare.
 */
final class InFlightBudget {
  /** The default budget of one peer: far above what a member's own traffic keeps in flight. */
  static final int DEFAULT_PER_PEER = 10_000;
  /** A count that reached 0 and is being removed: takers put a fresh one in its place. */
  private static final int RETIRED = Integer.MIN_VALUE;

  private final int perPeer;
  // A counter per peer, without a lock: every request of every peer passes here twice.
  private final ConcurrentHashMap<Object, AtomicInteger> inFlight = new ConcurrentHashMap<>();

  InFlightBudget(int perPeer) {
    this.perPeer = perPeer;
  }

  int perPeer() {
    return perPeer;
  }

  /** Takes one request's room for {@code peer}; false, taking none, if its budget is spent. */
  boolean tryAcquire(Object peer) {
    while (true) {
      AtomicInteger count = inFlight.get(peer);
      if (count == null) {
        if (perPeer < 1) {
          return false;
        }
        if (inFlight.putIfAbsent(peer, new AtomicInteger(1)) == null) {
          return true;
        }
        continue;
      }
      int n = count.get();
      if (n == RETIRED) {
        inFlight.remove(peer, count); // help its releaser, then start afresh
        continue;
      }
      if (n >= perPeer) {
        return false;
      }
      if (count.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** Gives back the room of one request {@link #tryAcquire} took; a peer with none left is forgotten. */
  void release(Object peer) {
    AtomicInteger count = inFlight.get(peer);
    if (count != null && count.decrementAndGet() == 0 && count.compareAndSet(0, RETIRED)) {
      inFlight.remove(peer, count);
    }
  }

  /** The requests {@code peer} has in flight, for tests. */
  int inFlight(Object peer) {
    AtomicInteger count = inFlight.get(peer);
    return count == null ? 0 : Math.max(0, count.get());
  }

  /** Peers with requests in flight, for tests. */
  int peers() {
    return inFlight.size();
  }
}
