package dev.groupcache.jcache.cluster;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.groupcache.PeerAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * The copy leases this node, as an owner, has granted to the members holding copies of its
 * entries ({@link CopyLease} is the holder's side).
 *
 * <p>For each holder it keeps the time after which that holder serves none of its copies: the last
 * grant plus the lease plus a margin for clock rates (the holder counts from before the owner
 * granted). A change waits for each holder of its key to confirm the drop, or for that time,
 * whichever comes first; so a paused, cut-off or dead holder delays a change by at most the lease.
 * While a drop to a holder is unconfirmed, renewals do not reach past that time, or the change
 * would wait forever for a holder that keeps renewing but does not drop; a drop that fails
 * withholds all grants until that time, after which the holder's lease has run out and its next
 * term starts with no copies.
 *
 * <p>A new run of this node knows nothing of the leases an earlier run at its address granted:
 * it answers with its own incarnation, which ends the holder's old term, and acknowledges no change
 * before a lease granted by the earlier run must have run out ({@link #writableAt()}).
 */
final class CopyGrants implements OwnerStore.Grants {

  /** One holder's grants; guarded by itself. */
  private static final class Holder {
    long bound; // ticker reading after which the holder serves none of its copies
    int unconfirmed;
    long frozen; // the bound when the oldest unconfirmed drop was sent: no grant reaches past it
    long revokedUntil;
    boolean pruned; // no longer in the map: whoever holds it takes the map's new one

    Holder(long now) { // every time already past: ticker readings may be negative
      bound = now;
      frozen = now;
      revokedUntil = now;
    }
  }

  private final Ticker ticker;
  private final long leaseNanos;
  private final long marginNanos;
  private final long incarnation;
  private final long writableAt;
  private final Map<PeerAddress, Holder> holders = new ConcurrentHashMap<>();
  private final Predicate<PeerAddress> member;
  private final Map<String, PeerAddress> addresses = new ConcurrentHashMap<>(); // members' only

  /** @param member whether an address is a member this node may grant a lease to */
  CopyGrants(Duration lease, Ticker ticker, Predicate<PeerAddress> member) {
    this.ticker = ticker;
    this.member = member;
    this.leaseNanos = lease.toNanos();
    this.marginNanos = leaseNanos / 50 + 5_000_000L; // clock rates within 2%, and 5 ms
    long random = ThreadLocalRandom.current().nextLong();
    this.incarnation = random == 0 ? 1 : random;
    this.writableAt = ticker.read() + leaseNanos + marginNanos;
  }

  @Override
  public PeerAddress holder(String spelled) {
    PeerAddress address = addresses.get(spelled);
    if (address == null) {
      address = PeerAddress.parse(spelled);
      if (member.test(address)) {
        addresses.put(spelled, address);
      }
    }
    return address;
  }

  /** This run of the node, told to holders with every grant. */
  @Override
  public long incarnation() {
    return incarnation;
  }

  /**
   * Until when a change must not be acknowledged: an earlier run of this node at its address may
   * have granted leases that run until then.
   */
  long writableAt() {
    return writableAt;
  }

  /** What a holder's reckoning of a lease may differ by. */
  @Override
  public long marginNanos() {
    return marginNanos;
  }

  /**
   * Grants {@code holder} a lease from now; its length in nanoseconds, 0 if it is withheld or the
   * holder is not an available member.
   */
  @Override
  public long grant(PeerAddress holder) {
    if (!member.test(holder)) {
      return 0; // not a member (or suspected): it keeps no copy, and costs no memory here
    }
    while (true) {
      Holder h = holders.computeIfAbsent(holder, p -> new Holder(ticker.read()));
      synchronized (h) {
        if (!h.pruned) {
          return grant(h);
        }
      }
    }
  }

  private long grant(Holder h) {
    long now = ticker.read();
    if (now - h.revokedUntil < 0) {
      return 0;
    }
    long grant = h.unconfirmed == 0 ? leaseNanos : Math.min(leaseNanos, h.frozen - marginNanos - now);
    if (grant <= 0) {
      return 0;
    }
    long bound = now + grant + marginNanos;
    if (bound - h.bound > 0) {
      h.bound = bound;
    }
    return grant;
  }

  /**
   * A drop is being sent to {@code holder}; returns the time after which the holder serves none of
   * its copies even if it never confirms, for the change to wait for at most.
   */
  long sending(PeerAddress holder) {
    while (true) {
      Holder h = holders.computeIfAbsent(holder, p -> new Holder(ticker.read()));
      synchronized (h) {
        if (!h.pruned) {
          if (h.unconfirmed++ == 0) {
            h.frozen = h.bound;
          }
          return h.frozen;
        }
      }
    }
  }

  /** The holder confirmed a drop. */
  void confirmed(PeerAddress holder) {
    Holder h = holders.get(holder);
    if (h != null) {
      synchronized (h) {
        h.unconfirmed--;
      }
    }
  }

  /**
   * A drop to the holder failed: it may still hold the copy until {@code bound}, so it gets no
   * lease until then; the next one starts a term without its old copies.
   */
  void unconfirmed(PeerAddress holder, long bound) {
    Holder h = holders.get(holder);
    if (h != null) {
      synchronized (h) {
        h.unconfirmed--;
        if (bound - h.revokedUntil > 0) {
          h.revokedUntil = bound;
        }
      }
    }
  }

  /**
   * Forgets holders whose leases have all run out and that owe nothing (they are as new ones), and
   * the spellings of members no longer available.
   */
  void prune() {
    addresses.values().removeIf(a -> !member.test(a));
    long now = ticker.read();
    holders.entrySet().removeIf(e -> {
      Holder h = e.getValue();
      synchronized (h) {
        h.pruned = h.unconfirmed == 0 && now - h.bound > 0 && now - h.revokedUntil > 0;
        return h.pruned;
      }
    });
  }
}
