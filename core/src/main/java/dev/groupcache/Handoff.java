package dev.groupcache;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Where a key that this node came to own may still be cached: at the member that owned it before.
 * A new owner asks that member's caches (a peek, never a load there) before it runs the loader, so
 * that a member joining the ring does not send its share of the keys to the backend again.
 *
 * <p>With consistent hashing, the keys a joining member takes were, each, its successor's: the
 * owner on the ring without this node. That ring is where peeks go, for the keys this node did not
 * own on its previous ring (all of them, for a node whose previous ring did not name it). Peeks are
 * made for {@link #WINDOW} after a ring change, and stop early when they find nothing: a cluster
 * that starts cold has nothing to hand over, and a miss should not pay a round trip for long.
 */
final class Handoff {
  /** How long after a ring change a new owner looks for its keys at their previous owners. */
  static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(10);
  /** After this many peeks, fewer than {@link #MIN_HITS} hits stop them until the next ring change. */
  static final int JUDGE_AFTER = 64;
  static final int MIN_HITS = 8;

  /** The peeks of one ring change. */
  private static final class Change {
    /** The ring before the change, if it named this node; null if it did not. */
    final Ring before;
    /** The ring of the other members: where each key was before this node took it. */
    final Ring without;
    final long until;
    final AtomicInteger tries = new AtomicInteger();
    final AtomicInteger hits = new AtomicInteger();
    volatile boolean givenUp;

    Change(Ring before, Ring without, long until) {
      this.before = before;
      this.without = without;
      this.until = until;
    }
  }

  private final PeerAddress self;
  private final int vnodes;
  private final LongSupplier nanoTime;
  private volatile Change change;

  Handoff(PeerAddress self, int vnodes) {
    this(self, vnodes, System::nanoTime);
  }

  /** @param nanoTime the clock of the window; tests move it */
  Handoff(PeerAddress self, int vnodes, LongSupplier nanoTime) {
    this.self = self;
    this.vnodes = vnodes;
    this.nanoTime = nanoTime;
  }

  /** The membership went from {@code before} to {@code after}; under the node's membership lock. */
  void ringChanged(Ring before, Ring after) {
    List<PeerAddress> others = new ArrayList<>(after.peers());
    if (!others.remove(self) || others.isEmpty()) {
      change = null; // this node owns nothing, or everything with nobody to ask
      return;
    }
    change = new Change(before.peers().contains(self) ? before : null, Ring.of(others, vnodes),
        nanoTime.getAsLong() + WINDOW_NANOS);
  }

  /**
   * The member to ask for {@code key}, which this node owns and misses, before loading it: its
   * owner before this node took it; null if it did not move here, or peeks are over.
   */
  PeerAddress previousOwner(ByteView key) {
    Change c = change;
    if (c == null || c.givenUp || nanoTime.getAsLong() - c.until > 0) {
      return null;
    }
    if (c.before != null && self.equals(c.before.owner(key))) {
      return null; // this node owned it before the change too: nobody else has it
    }
    return c.without.owner(key);
  }

  /** A peek found the key ({@code hit}) or not; too few hits end the peeks of this change. */
  void peeked(boolean hit) {
    Change c = change;
    if (c == null) {
      return;
    }
    int hits = hit ? c.hits.incrementAndGet() : c.hits.get();
    if (c.tries.incrementAndGet() >= JUDGE_AFTER && hits < MIN_HITS) {
      c.givenUp = true;
    }
  }
}
