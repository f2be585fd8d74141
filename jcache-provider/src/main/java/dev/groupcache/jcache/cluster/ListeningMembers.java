package dev.groupcache.jcache.cluster;

import dev.groupcache.PeerAddress;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The other members with listeners on one cache, as they announced themselves: an owner sends them
 * the cache's events, and no one else. Members with listeners repeat their announcement every
 * {@link CacheService#ANNOUNCE_EVERY}; one not heard from for {@link #FORGET_AFTER_NANOS} (it
 * stopped, restarted without listeners, or left) is forgotten.
 */
final class ListeningMembers {
  static final long FORGET_AFTER_NANOS = 60_000_000_000L;

  /** A member with listeners; {@code synchronous} if a change must wait for them. */
  record Listener(PeerAddress member, boolean synchronous, long heardAt) {}

  private final Map<PeerAddress, Listener> members = new ConcurrentHashMap<>();

  /** A member announced that it listens, or no longer does. */
  void heard(PeerAddress member, boolean listening, boolean synchronous, long now) {
    if (listening) {
      members.put(member, new Listener(member, synchronous, now));
    } else {
      members.remove(member);
    }
  }

  /** The members listening now; those not heard from for too long are forgotten. */
  Collection<Listener> current(long now) {
    if (members.isEmpty()) {
      return List.of();
    }
    members.values().removeIf(l -> now - l.heardAt() > FORGET_AFTER_NANOS);
    return members.values();
  }

  /** Forgets members that left the ring. */
  void retain(Collection<PeerAddress> ring) {
    members.keySet().retainAll(ring);
  }
}
