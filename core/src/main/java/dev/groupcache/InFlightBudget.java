package dev.groupcache;

import java.util.concurrent.ConcurrentHashMap;

/**
 * How many requests each peer has in flight at this node, bounded: a peer that asks for more
 * work than {@link #perPeer} at once is refused the excess with {@code RESOURCE_EXHAUSTED}, so
 * that no peer can make this node hold unbounded state (waiting loads, calls, their answers).
 * Peers are told apart by the IP address their connections come from, whatever they declare.
 */
final class InFlightBudget {
  /** The default budget of one peer: far above what a member's own traffic keeps in flight. */
  static final int DEFAULT_PER_PEER = 10_000;

  private final int perPeer;
  private final ConcurrentHashMap<Object, Integer> inFlight = new ConcurrentHashMap<>();

  InFlightBudget(int perPeer) {
    this.perPeer = perPeer;
  }

  int perPeer() {
    return perPeer;
  }

  /** Takes one request's room for {@code peer}; false, taking none, if its budget is spent. */
  boolean tryAcquire(Object peer) {
    boolean[] taken = new boolean[1];
    inFlight.compute(peer, (p, n) -> {
      int count = n == null ? 0 : n;
      if (count >= perPeer) {
        return n;
      }
      taken[0] = true;
      return count + 1;
    });
    return taken[0];
  }

  /** Gives back the room of one request {@link #tryAcquire} took; a peer with none left is forgotten. */
  void release(Object peer) {
    inFlight.computeIfPresent(peer, (p, n) -> n <= 1 ? null : n - 1);
  }

  /** The requests {@code peer} has in flight, for tests. */
  int inFlight(Object peer) {
    return inFlight.getOrDefault(peer, 0);
  }
}
