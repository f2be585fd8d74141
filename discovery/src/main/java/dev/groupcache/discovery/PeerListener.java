package dev.groupcache.discovery;

/** Hears a {@link PeerSource}'s peer set whenever it really changes. */
@FunctionalInterface
public interface PeerListener {
  /**
   * Called with the new set, on the source's notification thread, one call at a time and in
   * order. Bursts of changes are coalesced: a listener sees the set as it stands after the burst.
   */
  void peersChanged(PeerSet peers);
}
