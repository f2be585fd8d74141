package dev.groupcache.jcache.cluster;

import dev.groupcache.PeerAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What an owner knows of the other members' listeners on one cache: those with listeners, as they
 * announced themselves, which an owner sends the cache's events; those heard to have none; and the
 * rest, <em>unheard</em>, whose listeners it cannot rule out, so that it sends them events too and
 * waits for their answers, which say whether they listen. A member's announcement can be lost (it
 * came before this node had it on its ring, or while either was starting); an unheard member still
 * hears every change made after it registered its listeners, and costs an event per change only
 * until its first answer.
 *
 * <p>Members with listeners repeat their announcement every {@link CacheService#ANNOUNCE_EVERY};
 * one not heard from for {@link #FORGET_AFTER_NANOS} (it stopped, restarted without listeners, or
 * left) is unheard again from the next {@link #forget}, as is a member that answers again after
 * being suspected ({@link #unhear}): it may have restarted.
 *
 * <p>A member's statements travel on two connections (its announcements on its own, its answers
 * on this node's), so one can overtake another: each carries when the member read its listeners,
 * and one older than a statement already heard is ignored.
 */
final class ListeningMembers {
  static final long FORGET_AFTER_NANOS = 60_000_000_000L;

  /** A member with listeners; {@code synchronous} if a change must wait for them. */
  record Listener(PeerAddress member, boolean synchronous, long heardAt) {}

  private final Map<PeerAddress, Listener> members = new ConcurrentHashMap<>();
  private final Set<PeerAddress> quiet = ConcurrentHashMap.newKeySet();
  /** When each member said what this node holds of it, in the member's order; guarded by this. */
  private final Map<PeerAddress, Long> said = new HashMap<>();
  /** The other members on this node's ring; guarded by this. */
  private List<PeerAddress> others;
  private volatile List<PeerAddress> unheard;

  /** Knows nothing yet of {@code others}, the other members on this node's ring. */
  ListeningMembers(List<PeerAddress> others) {
    this.others = List.copyOf(others);
    this.unheard = this.others;
  }

  /**
   * A member announced that it listens, or does not (or answered an event or announcement so), at
   * {@code saidAt} in its own order; ignored if it said otherwise later (0: unordered, taken).
   */
  synchronized void heard(PeerAddress member, boolean listening, boolean synchronous, long saidAt, long now) {
    Long latest = said.get(member);
    if (saidAt != 0 && latest != null && saidAt < latest) {
      return; // overtaken: an answer read before the member's listeners changed, arriving after their announcement
    }
    said.put(member, saidAt);
    if (listening) {
      members.put(member, new Listener(member, synchronous, now));
      quiet.remove(member);
    } else {
      quiet.add(member);
      members.remove(member);
    }
    List<PeerAddress> u = unheard;
    if (!u.isEmpty() && u.contains(member)) {
      recount();
    }
  }

  /** The members listening now: every change of the cache reads this, so it only reads. */
  Collection<Listener> current() {
    return members.isEmpty() ? List.of() : members.values();
  }

  /** The other members whose listeners this node has not heard of; empty once it heard from all. */
  List<PeerAddress> unheard() {
    return unheard;
  }

  /** Forgets listening members not heard from for {@link #FORGET_AFTER_NANOS}; on the node's timer. */
  void forget(long now) {
    if (members.values().removeIf(l -> now - l.heardAt() > FORGET_AFTER_NANOS)) {
      recount();
    }
  }

  /** Forgets what {@code member} said: it answers again after being suspected, and may have restarted. */
  synchronized void unhear(PeerAddress member) {
    members.remove(member);
    quiet.remove(member);
    said.remove(member);
    recount();
  }

  /** The ring changed: forgets members that left it; members that joined are unheard. */
  synchronized void retain(List<PeerAddress> others) {
    this.others = List.copyOf(others);
    members.keySet().retainAll(this.others);
    quiet.retainAll(this.others);
    said.keySet().retainAll(this.others);
    recount();
  }

  private synchronized void recount() {
    List<PeerAddress> u = new ArrayList<>();
    for (PeerAddress m : others) {
      if (!members.containsKey(m) && !quiet.contains(m)) {
        u.add(m);
      }
    }
    unheard = u.isEmpty() ? List.of() : List.copyOf(u);
  }
}
