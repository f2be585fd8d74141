package dev.groupcache.jcache.cluster;

import com.github.benmanes.caffeine.cache.Ticker;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.groupcache.ByteView;
import dev.groupcache.Node;
import dev.groupcache.PeerAddress;
import dev.groupcache.jcache.proto.NodeRequest;
import dev.groupcache.jcache.proto.NodeResponse;
import dev.groupcache.jcache.proto.Renew;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * This node's copy leases, one per owner it keeps copies from ({@link CopyLease}), and their
 * renewal: while copies may be kept under a lease, it is renewed every quarter of its length by a
 * {@code Renew} to its owner, so that copies outlive a quiet moment between the two; reads renew it
 * too. A lease nobody renews runs out, and its copies with it.
 */
final class CopyLeases {
  /** Leases under which no copy was kept for this long are not renewed: their copies are gone or old. */
  static final Duration RENEW_WHILE_KEPT_WITHIN = Duration.ofSeconds(60);

  private final Node node;
  private final Ticker ticker;
  private final Duration timeout;
  private final Map<PeerAddress, CopyLease> leases = new ConcurrentHashMap<>();
  private final LongAdder expiries = new LongAdder();
  private final ByteView renew;

  /** @param timeout how long a renewal may wait for its answer */
  CopyLeases(Node node, Ticker ticker, Duration timeout) {
    this.node = node;
    this.ticker = ticker;
    this.timeout = timeout;
    this.renew = ByteView.of(NodeRequest.newBuilder()
        .setRenew(Renew.newBuilder().setHolder(node.self().toString())).build());
  }

  /** The lease from {@code owner}, made on first use. */
  CopyLease of(PeerAddress owner) {
    CopyLease lease = leases.get(owner);
    return lease != null ? lease : leases.computeIfAbsent(owner, o -> new CopyLease(o, ticker.read()));
  }

  /** Extends a lease by an owner's answer; the term a copy from that answer is kept in, or -1. */
  long renewed(CopyLease lease, long sentAt, long grantMillis, long incarnation) {
    return lease.renew(sentAt, TimeUnit.MILLISECONDS.toNanos(grantMillis), incarnation, ticker.read(),
        expiries::increment);
  }

  /** Renews every lease that copies may still be kept under; runs on the node's timer. */
  void renewAll() {
    long now = ticker.read();
    Set<PeerAddress> members = Set.copyOf(node.peers());
    for (CopyLease lease : leases.values()) {
      PeerAddress owner = lease.owner();
      if (!members.contains(owner) || owner.equals(node.self())) {
        leases.remove(owner, lease); // gone from the ring: its copies are never served (their owner changed)
        continue;
      }
      if (!lease.inUse(now, RENEW_WHILE_KEPT_WITHIN.toNanos()) || !node.isAvailable(owner)) {
        continue; // a suspected owner is not asked: its lease runs out
      }
      long sentAt = ticker.read();
      node.call(owner, CacheService.NAME, renew, timeout).thenAccept(reply -> {
        try {
          NodeResponse r = NodeResponse.parseFrom(reply.asReadOnlyBuffer());
          renewed(lease, sentAt, r.getCopyLeaseMillis(), r.getOwnerIncarnation());
        } catch (InvalidProtocolBufferException e) {
          // not renewed: the lease runs out
        }
      });
    }
  }

  /** Times a lease ran out while copies were kept under it. */
  long expiries() {
    return expiries.sum();
  }
}
