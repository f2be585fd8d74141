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
 * stopped, restarted without listeners, or left) is forgotten at the next {@link #forget}.
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

  /** The members listening now: every change of the cache reads this, so it only reads. */
  Collection<Listener> current() {
    return members.isEmpty() ? List.of() : members.values();
  }

  /** Forgets members not heard from for {@link #FORGET_AFTER_NANOS}; on the node's timer. */
  void forget(long now) {
    members.values().removeIf(l -> now - l.heardAt() > FORGET_AFTER_NANOS);
  }

  /** Forgets members that left the ring. */
  void retain(Collection<PeerAddress> ring) {
    members.keySet().retainAll(ring);
  }
}
