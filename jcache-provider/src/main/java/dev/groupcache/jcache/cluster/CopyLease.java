package dev.groupcache.jcache.cluster;

import dev.groupcache.PeerAddress;

/**
 * The right of this node to serve copies of one owner's entries, as the holder sees it.
 *
 * <p>The owner grants a lease of some length with its answers (a read's, or a renewal's); this
 * node counts it from when it <em>sent</em> the request, which is no later than when the owner
 * answered, so the lease ends here before the owner's reckoning of it ends there (given clock
 * rates within the owner's margin). A copy is served only while the lease runs and only if it was
 * kept in the lease's current term: once the lease runs out (this process paused, a link cut, the
 * owner withholding renewal because this node missed a drop) every copy kept under it is dead, even
 * if a later renewal starts a new term. A new run of the owner (a restart at the same address)
 * also starts a new term, since it knows nothing of the copies the old one handed out.
 */
final class CopyLease {
  private final PeerAddress owner;
  // Written term first, then until; read until first, then term: a reader that sees a new until
  // also sees the new term, so a copy of an ended term is never served on a renewed lease.
  private volatile long term;
  private volatile long until; // ticker reading; copies are served strictly before it
  private long incarnation; // guarded by this
  private boolean running; // guarded by this: the term has not run out
  private long keptTerm = -1; // guarded by this: the last term a copy was kept in
  private volatile long keptAt = Long.MIN_VALUE; // when a copy was last kept: whether to renew

  CopyLease(PeerAddress owner, long now) {
    this.owner = owner;
    this.until = now;
  }

  PeerAddress owner() {
    return owner;
  }

  /**
   * Extends the lease by an owner's answer to a request sent at {@code sentAt}, granting {@code
   * grantNanos} from then, from the owner's run {@code incarnation}. Returns the term a copy kept
   * on this answer belongs to, or -1 if it may not be kept.
   *
   * @param expired runs when this ends a term in which copies were kept by its running out
   */
  synchronized long renew(long sentAt, long grantNanos, long incarnation, long now, Runnable expired) {
    if (running && now - until >= 0) {
      running = false; // it ran out: a drop may have been missed meanwhile, whatever this answer grants
      if (keptTerm == term) {
        expired.run();
      }
    }
    if (grantNanos <= 0) {
      return -1; // withheld: the lease runs out, and with it every copy kept under it
    }
    long end = sentAt + grantNanos;
    if (incarnation != this.incarnation || !running) {
      this.incarnation = incarnation; // another run of the owner knows nothing of the last one's copies
      term++;
      until = end;
      running = true;
    } else if (end - until > 0) {
      until = end;
    }
    return now - until < 0 ? term : -1;
  }

  /** Whether a copy kept in {@code copyTerm} may be served at {@code now}. */
  boolean covers(long copyTerm, long now) {
    return now - until < 0 && copyTerm == term;
  }

  /** A copy was kept in {@code term} at {@code now}. */
  synchronized void kept(long term, long now) {
    keptTerm = term;
    keptAt = now;
  }

  /** Whether a copy may have been kept under this lease within {@code window} before {@code now}. */
  boolean inUse(long now, long window) {
    long k = keptAt;
    return k != Long.MIN_VALUE && now - k < window;
  }

  @Override
  public String toString() {
    return "CopyLease[" + owner + ", term " + term + "]";
  }
}
