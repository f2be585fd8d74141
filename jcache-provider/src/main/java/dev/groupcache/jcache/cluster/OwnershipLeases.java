package dev.groupcache.jcache.cluster;

import com.github.benmanes.caffeine.cache.Ticker;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.groupcache.ByteView;
import dev.groupcache.Node;
import dev.groupcache.PeerAddress;
import dev.groupcache.jcache.proto.NodeRequest;
import dev.groupcache.jcache.proto.NodeResponse;
import dev.groupcache.jcache.proto.Ownership;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * This node's right to answer as the owner of keys that have backups: from each other member, a
 * lease saying that it does not act for this node ({@link Replication}).
 *
 * <p>A member acts for an owner it finds unavailable, and acknowledges no acting write until a
 * copy lease after it began. An owner that was paused, or cut off, does not know that it was
 * found unavailable: when it answers again, its entries may be older than what the acting member
 * acknowledged. So it answers for such keys only while every member has said, within a lease of
 * when it asked, that it does not act for it; a member that acted says so, and the owner's
 * operations wait until it has handed its acted entries back (and stopped acting). The leases
 * are renewed every quarter of their length, so that an owner that runs on time never waits.
 *
 * <p>A member the failure detector suspects is waived: it is dead (a refused connection is
 * suspected at once), or paused or cut off for a failure timeout, and waiting for it would stall
 * every operation here. Until then a member that does not answer holds this node's operations
 * once its lease has lapsed (for a paused member, about the failure timeout less the lease): it
 * may be acting for this node, and a renewal that timed out says nothing of that. Cut off and
 * acting, it acts on the far side of a partition, which a member on this side cannot know of
 * until the partition heals; its next renewal then says so.
 */
final class OwnershipLeases {
  private static final System.Logger LOG = System.getLogger(OwnershipLeases.class.getName());
  /** How long operations wait at most for a member that acted for this node to hand its entries back. */
  static final Duration HAND_BACK_WAIT = Duration.ofSeconds(10);
  /** How often the members are looked at again (and those that acted for this node asked) while operations wait. */
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  /** How far ahead a node with no member to ask may answer (renewed every quarter lease). */
  private static final long UNBOUNDED_NANOS = TimeUnit.HOURS.toNanos(1);

  /** The members this node asks: the node itself ({@link #of}), or a test's stand-in. */
  interface Members {
    PeerAddress self();

    Collection<PeerAddress> peers();

    /** Whether the failure detector finds it available. */
    boolean isAvailable(PeerAddress member);

    /** Asks {@code member} whether it acts for this node; completes with its answer, or fails. */
    CompletableFuture<Boolean> acting(PeerAddress member, Duration timeout);
  }

  /** The members of {@code node}, asked by an {@link Ownership} request. */
  static Members of(Node node) {
    ByteView request = ByteView.of(NodeRequest.newBuilder()
        .setOwnership(Ownership.newBuilder().setMember(node.self().toString())).build());
    return new Members() {
      @Override
      public PeerAddress self() {
        return node.self();
      }

      @Override
      public Collection<PeerAddress> peers() {
        return node.peers();
      }

      @Override
      public boolean isAvailable(PeerAddress member) {
        return node.isAvailable(member);
      }

      @Override
      public CompletableFuture<Boolean> acting(PeerAddress member, Duration timeout) {
        return node.call(member, CacheService.NAME, request, timeout).handle((reply, failure) -> {
          Throwable cause = failure instanceof java.util.concurrent.CompletionException c ? c.getCause() : failure;
          if (cause instanceof dev.groupcache.GroupcacheException && !(cause instanceof dev.groupcache.PeerUnavailableException)) {
            return false; // it answered, refusing the request: only a member that takes it acts for others
          }
          if (failure != null) {
            throw failure instanceof java.util.concurrent.CompletionException c ? c
                : new java.util.concurrent.CompletionException(failure);
          }
          try {
            return NodeResponse.parseFrom(reply.asReadOnlyBuffer()).getFenced();
          } catch (InvalidProtocolBufferException e) {
            return false; // an unreadable answer is no member's that acts
          }
        });
      }
    };
  }

  /** What this node knows of one member; written on renewals, read on the slow path. */
  private static final class Standing {
    /** A ticker reading before which the member has said it does not act for this node. */
    volatile long until;

    /** @param now lapsed from the start: it has not said anything yet */
    Standing(long now) {
      this.until = now;
    }
    volatile boolean asked;
    /** Its last renewal failed while this node ran on time, or the detector suspects it. */
    volatile boolean waived;
    /** It said it acts (or acted) for this node, and has not said otherwise since {@link #fencedSince}. */
    volatile boolean fenced;
    volatile long fencedSince;
    volatile boolean gaveUp;
    /** A renewal is on its way: no second one until it is answered or failed. */
    final java.util.concurrent.atomic.AtomicBoolean asking = new java.util.concurrent.atomic.AtomicBoolean();
  }

  private final Members node;
  private final Ticker ticker;
  private final ScheduledExecutorService timer;
  private final long leaseNanos;
  private final long intervalNanos;
  private final Duration timeout;
  private final Map<PeerAddress, Standing> members = new ConcurrentHashMap<>();
  private volatile long servableUntil;
  private volatile boolean fenced;
  /** Its leases have held at least once in this run: an unassured state since is a lapse. */
  private volatile boolean heldOnce;
  private final List<CompletableFuture<Void>> waiting = new ArrayList<>(); // guarded by this
  private boolean polling; // guarded by this
  private final LongAdder waits = new LongAdder();
  private final LongAdder waitsCut = new LongAdder();
  /** See {@link #actedFor()}. */
  private final AtomicLong actedFor = new AtomicLong();

  /**
   * @param lease how long a member's answer lets this node answer as an owner: at most the time an
   *     acting member waits before its first acknowledged write
   */
  OwnershipLeases(Members node, Ticker ticker, ScheduledExecutorService timer, Duration lease) {
    this.node = node;
    this.ticker = ticker;
    this.timer = timer;
    this.leaseNanos = lease.toNanos();
    this.intervalNanos = leaseNanos / 4;
    this.timeout = Duration.ofNanos(intervalNanos);
    long now = ticker.read();
    this.servableUntil = now; // until the first answers: a restarted owner may have been acted for
  }

  /**
   * Whether this node's leases held once in this run and no longer do: it may have been paused or
   * cut off with peers' requests waiting in its sockets, which their senders may have given up on
   * (a request to a process that has just started was sent to it, and is not such a one).
   */
  boolean lapsed() {
    return heldOnce && !servable();
  }

  /** Whether this node may answer as the owner of keys with backups now: two volatile reads and the clock. */
  boolean servable() {
    return !fenced && ticker.read() - servableUntil < 0;
  }

  /**
   * Completes once this node may answer as an owner: at once in the usual case; else once the
   * members whose leases lapsed have answered (or are waived), and those that acted for this node
   * have handed back, within {@link #HAND_BACK_WAIT}.
   */
  CompletableFuture<Void> ready() {
    if (servable()) {
      return CompletableFuture.completedFuture(null);
    }
    waits.increment();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    synchronized (this) {
      waiting.add(ready);
    }
    java.util.concurrent.ScheduledFuture<?> cut = timer.schedule(() -> {
      if (ready.complete(null)) {
        waitsCut.increment();
      }
    }, HAND_BACK_WAIT.toNanos(), TimeUnit.NANOSECONDS);
    ready.whenComplete((r, e) -> cut.cancel(false)); // released in time: no task left for 10 s
    renew(false);
    recompute();
    return ready;
  }

  /** Renews every member's lease; on the node's timer, every quarter of a lease. */
  void renewAll() {
    renew(true);
  }

  /** Asks the members whose leases lapse within a quarter lease (or all); waives those suspected. */
  private void renew(boolean all) {
    long now = ticker.read();
    Set<PeerAddress> peers = Set.copyOf(node.peers());
    members.keySet().retainAll(peers);
    for (PeerAddress member : peers) {
      if (member.equals(node.self())) {
        continue;
      }
      Standing s = members.computeIfAbsent(member, m -> new Standing(now));
      if (!node.isAvailable(member)) {
        s.waived = true; // the detector judges only while this node runs on time
        continue;
      }
      s.waived = false; // it answers again: for itself, as it may have acted meanwhile
      if (all || s.fenced || !s.asked || s.until - now < intervalNanos) {
        ask(member, s);
      }
    }
    recompute();
  }

  private void ask(PeerAddress member, Standing s) {
    if (!s.asking.compareAndSet(false, true)) {
      return;
    }
    long sentAt = ticker.read();
    node.acting(member, timeout).whenComplete((acting, failure) -> {
      s.asking.set(false);
      if (failure == null) {
        answered(member, s, sentAt, acting);
      } else {
        failed(member, s);
      }
      recompute();
    });
  }

  private void answered(PeerAddress member, Standing s, long sentAt, boolean acting) {
    s.asked = true;
    s.waived = false;
    if (acting) {
      if (!s.fenced) {
        s.fencedSince = ticker.read();
        s.fenced = true;
        actedFor.incrementAndGet();
        LOG.log(Level.WARNING, "{0} acted for this node while it did not answer: its keys wait for the entries"
            + " it hands back", member);
      }
      return;
    }
    if (s.fenced) {
      s.fenced = false;
      s.gaveUp = false;
      LOG.log(Level.INFO, "{0} has handed back what it acted on: this node answers for its keys again", member);
    }
    if (sentAt + leaseNanos - s.until > 0) {
      s.until = sentAt + leaseNanos;
    }
  }

  /**
   * A renewal failed: the member is waived only once the detector suspects it. A refused
   * connection does that at once; a member that is slow, paused or cut off may be acting for
   * this node, and a renewal that timed out says nothing of that (nor does one that was sent
   * before this node itself was paused).
   */
  private void failed(PeerAddress member, Standing s) {
    s.asked = true;
    if (!node.isAvailable(member)) {
      s.waived = true;
    }
  }

  /** Recomputes what {@link #servable} reads and releases waiting operations if it now holds. */
  private void recompute() {
    long now = ticker.read();
    long until = now + UNBOUNDED_NANOS;
    boolean anyFenced = false;
    for (Map.Entry<PeerAddress, Standing> e : members.entrySet()) {
      Standing s = e.getValue();
      if (s.fenced && !s.waived) {
        if (now - s.fencedSince < HAND_BACK_WAIT.toNanos()) {
          anyFenced = true;
        } else if (!s.gaveUp) {
          s.gaveUp = true;
          LOG.log(Level.WARNING, "{0} acted for this node and has not handed back within {1}; this node answers"
              + " for its keys again", e.getKey(), HAND_BACK_WAIT);
        }
      } else if (!s.waived && s.until - until < 0) {
        until = s.until;
      }
    }
    servableUntil = until;
    fenced = anyFenced;
    if (!heldOnce && servable()) {
      heldOnce = true;
    }
    List<CompletableFuture<Void>> released;
    synchronized (this) {
      if (waiting.isEmpty()) {
        return;
      }
      if (!servable()) {
        if (!polling) {
          // while operations wait, look often: neither the end of a hand-back nor a member's
          // suspicion (which waives it) is told
          polling = true;
          timer.schedule(this::poll, POLL_NANOS, TimeUnit.NANOSECONDS);
        }
        return;
      }
      released = new ArrayList<>(waiting);
      waiting.clear();
    }
    released.forEach(r -> r.complete(null));
  }

  private void poll() {
    synchronized (this) {
      polling = false;
      waiting.removeIf(CompletableFuture::isDone);
      if (waiting.isEmpty()) {
        return;
      }
    }
    renew(false);
  }

  /**
   * How many times a member has said that it acted for this node, or handed back what it acted on:
   * when this has grown since a change was made here, the change may have been replaced by what
   * that member hands back. Once {@link #ready} completes, every member that acted has done one or
   * the other.
   */
  long actedFor() {
    return actedFor.get();
  }

  /** A member that acted for this node has handed entries back (it may have done so before saying it acted). */
  void handedBack() {
    actedFor.incrementAndGet();
  }

  /** Operations that waited for the leases. */
  long waits() {
    return waits.sum();
  }

  /** Of those, the ones that went on after {@link #HAND_BACK_WAIT} without them. */
  long waitsCut() {
    return waitsCut.sum();
  }
}
