package dev.groupcache.jcache.cluster;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.groupcache.ByteView;
import dev.groupcache.Node;
import dev.groupcache.PeerAddress;
import dev.groupcache.jcache.proto.HandedEntry;
import dev.groupcache.jcache.proto.NodeRequest;
import dev.groupcache.jcache.proto.NodeResponse;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * Moves the entries this node owned to their new owners when the ring changes: a member that
 * joins takes its share from the others, and one that leaves (its endpoint terminating, so that
 * its own ring no longer holds it) gives all of its entries away before it stops. The cache stays
 * warm through scaling and rolling restarts, without a replica.
 *
 * <p>One pass per ring change, on a thread of its own, a batch of entries per request: the new
 * owner keeps each entry unless it has a newer one ({@link OwnerStore#adopt}), and this node
 * forgets it once taken ({@link OwnerStore#handedOff}), unless it changed meanwhile. Keys the
 * receiver does not own yet (its ring has not changed) and members that cannot be reached are
 * tried again, backing off, until {@link #GIVE_UP}; what is left then is forgotten, counted: this
 * node cannot serve keys it does not own. A newer ring change ends a pass and starts the next.
 *
 * <p>Until an entry arrives, its new owner does not have it: a get there loads it (or misses)
 * and the handed entry is then ignored, being older.
 */
final class Handover implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Handover.class.getName());
  /** How long a pass offers entries before it forgets those no member took. */
  static final Duration GIVE_UP = Duration.ofSeconds(60);
  /** Keys and values one request carries at most, beyond its first entry. */
  static final int BATCH_BYTES = 512 * 1024;
  static final int BATCH_ENTRIES = 2_000;

  private final Node node;
  private final Map<String, OwnerStore> stores;
  private final Duration timeout;
  private final Runnable afterPass;
  private final Replication replication;
  private final ExecutorService thread;
  private final AtomicLong generation = new AtomicLong();
  private final AtomicInteger pending = new AtomicInteger();
  private final LongAdder handed = new LongAdder();
  private final LongAdder forgotten = new LongAdder();
  private volatile boolean closed;

  /**
   * @param stores this node's owner stores by cache id, as they come and go
   * @param timeout how long one batch may take
   * @param afterPass runs on the hand-over's thread after each pass for a ring change (backups of
   *     the entries this node then owns go to their members on the new ring)
   * @param replication whether this node acts for an owner that does not answer: the entries of
   *     its keys stay here, neither offered nor forgotten, until it answers ({@link #handBack})
   */
  Handover(Node node, Map<String, OwnerStore> stores, Duration timeout, Runnable afterPass,
      Replication replication) {
    this.node = node;
    this.stores = stores;
    this.timeout = timeout;
    this.afterPass = afterPass;
    this.replication = replication;
    this.thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "groupcache-handoff");
      t.setDaemon(true);
      return t;
    });
  }

  /** The ring changed: hands over what moved, after any pass under way stops. */
  void ringChanged() {
    long pass = generation.incrementAndGet();
    submit("handing entries to their new owners failed; the next ring change tries again", () -> {
      run(pass);
      if (current(pass)) {
        afterPass.run();
      }
    });
  }

  /**
   * {@code owner} answers again after this node acted for it: once no acting operation for it is
   * under way, the entries of its keys held here go back to it, replacing older versions there,
   * with the keys acting writes removed. One try; {@code done} hears whether it took them all.
   */
  void handBack(PeerAddress owner, java.util.function.Consumer<Boolean> done) {
    long pass = generation.get();
    boolean[] all = {false};
    submit("handing entries back to " + owner + " failed", () -> {
      try {
        if (!replication.awaitActingDone(owner, timeout)) {
          return; // an acting write still waits out its leases: the next tick tries again
        }
        long before = handed.sum();
        int left = 0;
        for (Map.Entry<String, OwnerStore> store : stores.entrySet()) {
          List<HandedEntry> removed = removedActing(store.getKey(), store.getValue(), owner); // before the others leave
          left += offer(pass, store.getKey(), store.getValue(), key -> !node.ownerOf(key).equals(owner), owner);
          left += offerRemoved(pass, store.getKey(), store.getValue(), owner, removed);
        }
        all[0] = left == 0 && current(pass);
        LOG.log(Level.INFO, "handed {0} entries back to {1}, {2} left", handed.sum() - before, owner, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        done.accept(all[0]);
      }
    });
  }

  /** The keys of {@code owner}'s that acting writes removed here (and nothing since put back). */
  private List<HandedEntry> removedActing(String cache, OwnerStore store, PeerAddress owner) {
    List<HandedEntry> removed = new ArrayList<>();
    for (ByteView key : replication.actedKeys(owner, cache)) {
      if (store.handedEntry(key) == null && node.ownerOf(key).equals(owner)) {
        removed.add(HandedEntry.newBuilder().setKey(OwnerStore.bytes(key)).setRemoved(true).build());
      }
    }
    return removed;
  }

  /** Tells {@code owner} of those keys: its own entries of them are older. How many it did not take. */
  private int offerRemoved(long pass, String cache, OwnerStore store, PeerAddress owner, List<HandedEntry> removed) {
    int left = 0;
    for (int from = 0; from < removed.size(); from += BATCH_ENTRIES) {
      if (!current(pass) || !node.isAvailable(owner)) {
        return left + removed.size() - from;
      }
      left += send(owner, cache, store, removed.subList(from, Math.min(removed.size(), from + BATCH_ENTRIES)), true);
    }
    return left;
  }

  /** Runs {@code work} on the hand-over's thread, counted as pending until it ends. */
  private void submit(String failure, Runnable work) {
    if (closed) {
      return;
    }
    pending.incrementAndGet();
    try {
      thread.execute(() -> {
        try {
          work.run();
        } catch (RuntimeException e) {
          LOG.log(Level.ERROR, failure, e);
        } finally {
          pending.decrementAndGet();
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      pending.decrementAndGet(); // closed meanwhile
    }
  }

  /** Waits until no pass is under way or due, at most {@code timeout}; whether none is. */
  boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (pending.get() > 0) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  /** Entries new owners took from this node. */
  long handed() {
    return handed.sum();
  }

  /** Entries this node forgot because no member took them. */
  long forgotten() {
    return forgotten.sum();
  }

  private void run(long pass) {
    long started = System.nanoTime();
    long deadline = started + GIVE_UP.toNanos();
    Predicate<ByteView> ownedHere = key -> {
      PeerAddress owner = node.ownerOf(key);
      return owner.equals(node.self()) || replication.isActingFor(owner);
    };
    long before = handed.sum();
    long backoffMillis = 50;
    while (current(pass)) {
      int left = 0;
      for (Map.Entry<String, OwnerStore> store : stores.entrySet()) {
        left += offer(pass, store.getKey(), store.getValue(), ownedHere, null);
      }
      if (left == 0 && current(pass)) {
        announceDone();
        break;
      }
      if (!current(pass)) {
        break;
      }
      if (System.nanoTime() - deadline >= 0) {
        int dropped = 0;
        for (OwnerStore store : stores.values()) {
          dropped += store.forgetNotOwned(ownedHere);
        }
        forgotten.add(dropped);
        LOG.log(Level.WARNING, "no member took {0} entries this node no longer owns within {1}; forgotten",
            dropped, GIVE_UP);
        break;
      }
      try {
        Thread.sleep(backoffMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      backoffMillis = Math.min(1_000, backoffMillis * 2);
    }
    long moved = handed.sum() - before;
    if (moved > 0) {
      LOG.log(Level.INFO, "handed {0} entries to their new owners in {1} ms", moved,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }
  }

  /**
   * Tells every other member that this node has handed over all it had of their keys, so that
   * their reads waiting for entries from it go on now rather than at their bound.
   */
  private void announceDone() {
    ByteView done = ByteView.of(NodeRequest.newBuilder()
        .setHandoff(dev.groupcache.jcache.proto.Handoff.newBuilder().setSender(node.self().toString()).setLast(true))
        .build());
    for (PeerAddress member : node.peers()) {
      if (!member.equals(node.self())) {
        node.call(member, CacheService.NAME, done, timeout); // best effort: a reader waits at most its bound
      }
    }
  }

  private boolean current(long pass) {
    return !closed && generation.get() == pass;
  }

  /**
   * Offers one cache's entries that moved to their owners; how many are left to offer. With {@code
   * backTo}, only to that member, as entries acted for ({@code replace}).
   */
  private int offer(long pass, String cache, OwnerStore store, Predicate<ByteView> ownedHere, PeerAddress backTo) {
    Map<PeerAddress, List<HandedEntry>> byOwner = new LinkedHashMap<>();
    for (HandedEntry e : store.notOwned(ownedHere)) {
      byOwner.computeIfAbsent(node.ownerOf(ByteView.copyOf(e.getKey())), o -> new ArrayList<>()).add(e);
    }
    int left = 0;
    for (Map.Entry<PeerAddress, List<HandedEntry>> owner : byOwner.entrySet()) {
      if (backTo != null && !backTo.equals(owner.getKey())) {
        continue;
      }
      List<HandedEntry> entries = owner.getValue();
      int from = 0;
      while (from < entries.size()) {
        int to = batchEnd(entries, from);
        List<HandedEntry> batch = entries.subList(from, to);
        if (!current(pass) || !node.isAvailable(owner.getKey())) {
          left += entries.size() - from;
          break;
        }
        left += send(owner.getKey(), cache, store, batch, backTo != null);
        from = to;
      }
    }
    return left;
  }

  private static int batchEnd(List<HandedEntry> entries, int from) {
    long bytes = 0;
    int to = from;
    while (to < entries.size() && to - from < BATCH_ENTRIES) {
      HandedEntry e = entries.get(to);
      bytes += e.getKey().size() + e.getValue().size();
      if (to > from && bytes > BATCH_BYTES) {
        break;
      }
      to++;
    }
    return to;
  }

  /** Sends one batch; how many of its entries the owner did not take. */
  private int send(PeerAddress owner, String cache, OwnerStore store, List<HandedEntry> batch, boolean newerWins) {
    ByteView request = ByteView.of(NodeRequest.newBuilder().setCache(cache)
        .setHandoff(dev.groupcache.jcache.proto.Handoff.newBuilder().addAllEntries(batch).setReplace(newerWins))
        .build());
    NodeResponse response;
    try {
      ByteView reply = node.call(owner, CacheService.NAME, request, timeout)
          .get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
      response = NodeResponse.parseFrom(reply.asReadOnlyBuffer());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return batch.size();
    } catch (InvalidProtocolBufferException | java.util.concurrent.ExecutionException
        | java.util.concurrent.TimeoutException e) {
      return batch.size(); // offered again after a pause; the peer's state is the detector's to tell
    }
    Set<ByteString> refused = new HashSet<>(response.getNotOwnedList());
    for (HandedEntry e : batch) {
      if (!refused.contains(e.getKey())) {
        ByteView key = ByteView.copyOf(e.getKey());
        store.handedOff(key, e.getVersion());
        if (newerWins) {
          replication.handedBack(owner, cache, key, e); // a later try must not send it again, as removed
        }
        handed.increment();
      }
    }
    return refused.size();
  }

  @Override
  public void close() {
    closed = true;
    thread.shutdownNow();
  }
}
