package dev.groupcache.jcache.cluster;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.groupcache.PeerAddress;

/** A copy lease from an owner that runs for an hour, for tests of what copies do under one. */
record HeldLease(CopyLease lease, long term) {
  static HeldLease from(PeerAddress owner, Ticker ticker) {
    CopyLease lease = new CopyLease(owner, ticker.read());
    long term = lease.renew(ticker.read(), 3_600_000_000_000L, 1, ticker.read(), () -> {});
    return new HeldLease(lease, term);
  }
}
