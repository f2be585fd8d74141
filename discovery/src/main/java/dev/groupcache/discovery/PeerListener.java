package dev.groupcache.discovery;

/**
 * Hears a {@link PeerSource}'s peer set once it has synced, even if it is empty, and then whenever
 * it really changes; and, if it cares, why the source's requests are failing.
 */
@FunctionalInterface
public interface PeerListener {
  /**
   * Called with the new set, on the source's notification thread, one call at a time and in
   * order. Bursts of changes are coalesced: a listener sees the set as it stands after the burst.
   */
  void peersChanged(PeerSet peers);

  /**
   * Called, on the same thread, when a request of the source fails (each time it does, until one
   * succeeds): the set stays as it was. For a listener that must say why it has no set yet.
   *
   * @param problem what failed, for a message
   * @param refused whether the API server refused access (403): a missing Role, not an outage
   */
  default void failed(String problem, boolean refused) {}
}
