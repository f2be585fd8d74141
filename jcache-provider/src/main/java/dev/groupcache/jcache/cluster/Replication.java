package dev.groupcache.jcache.cluster;

import com.github.benmanes.caffeine.cache.Ticker;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.groupcache.ByteView;
import dev.groupcache.Node;
import dev.groupcache.PeerAddress;
import dev.groupcache.jcache.proto.BackedEntry;
import dev.groupcache.jcache.proto.Backup;
import dev.groupcache.jcache.proto.NodeRequest;
import dev.groupcache.jcache.proto.NodeResponse;
import io.grpc.Status;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.cache.CacheException;

/**
 * Backups of owned entries, and acting for an owner that does not answer.
 *
 * <p>A key's backups are the members after its owner on the ring ({@link Node#replicasOf}): the
 * first of them is also the member that owns the key once its owner leaves the ring, so a backup is
 * already where the key will be asked for. An owner's change is acknowledged once its backups hold
 * it ({@link #backups}); a backup this node finds unavailable is skipped, counted, so that a dead
 * member stalls no write (the change then has one copy until the ring or the member comes back).
 * One that goes unanswered is skipped likewise, unless a member acted for this node meanwhile: then
 * the change is refused ({@link #unanswered}).
 *
 * <p>When a key's owner is unavailable, callers send its operations to the first available backup
 * ({@code Acting}), which answers as the owner only if it finds the owner unavailable too: it takes
 * its backup of the key into its own store first, and its own changes are backed up to the
 * members after it. Before its first acting write it waits out the copy leases the owner may have
 * granted ({@link #actingWritableAt}), so no near copy outlives a write it acknowledges. From then
 * until the owner is heard again it refuses the owner's backups ({@code fenced}), so that a write
 * the owner takes without knowing it was replaced is not acknowledged; when the owner answers
 * again, the entries it acted on go back to it, replacing its own.
 */
final class Replication {
  private static final System.Logger LOG = System.getLogger(Replication.class.getName());
  /** Begins the refusal of a member that may not act for a key's owner (yet). */
  static final String NOT_ACTING = "not acting for the owner: ";

  private final Node node;
  private final Introductions introductions;
  private final OwnershipLeases ownership;
  private final Ticker ticker;
  private final Duration timeout;
  private final long leaseNanos;
  private final Map<String, BackupStore> stores = new ConcurrentHashMap<>();
  /** Owners this node has acted for, with the time before which it acknowledges no acting write. */
  private final Map<PeerAddress, Long> actingFor = new ConcurrentHashMap<>();
  /** Acting operations under way (checked, not yet answered), by the owner acted for. */
  private final Map<PeerAddress, java.util.concurrent.atomic.AtomicInteger> underWay = new ConcurrentHashMap<>();
  /** Keys acting writes changed, by owner and cache, until handed back. */
  private final Map<PeerAddress, Map<String, java.util.Set<ByteView>>> actedKeys = new ConcurrentHashMap<>();
  /** How many keys this node changes at most while acting for one owner; writes of more are refused. */
  static final int MAX_ACTED_KEYS = 100_000;
  private final LongAdder sent = new LongAdder();
  private final LongAdder skipped = new LongAdder();
  private final LongAdder fenced = new LongAdder();
  private final LongAdder unconfirmed = new LongAdder();
  private final LongAdder acted = new LongAdder();

  /**
   * @param timeout how long a backup may take to be held before the write goes on without it
   * @param lease the copy lease (plus its margin) an owner grants: how long its copies may live
   * @param ownership this node's ownership leases: whether a member acted for it while a backup went unanswered
   */
  Replication(Node node, Ticker ticker, Duration timeout, Duration lease, Introductions introductions,
      OwnershipLeases ownership) {
    this.node = node;
    this.introductions = introductions;
    this.ownership = ownership;
    this.ticker = ticker;
    this.timeout = timeout;
    this.leaseNanos = lease.toNanos();
  }

  /** The backups of {@code cache} this node keeps for other owners, made on first use. */
  BackupStore store(String cache, long maxBytes) {
    BackupStore store = stores.get(cache);
    return store != null ? store : stores.computeIfAbsent(cache, c -> new BackupStore(maxBytes, ticker));
  }

  /** The caches this node keeps backups of. */
  java.util.Set<String> caches() {
    return java.util.Set.copyOf(stores.keySet());
  }

  /** The backups of {@code cache} kept here, or null. */
  /** Reclaims expired backups in every store, up to {@code budget} entries each ({@link BackupStore#sweepExpired}). */
  void sweepExpired(int budget) {
    for (BackupStore store : stores.values()) {
      store.sweepExpired(budget);
    }
  }

  BackupStore existing(String cache) {
    return stores.get(cache);
  }

  /** Where a cache with {@code count} backups sends its owned changes from this node. */
  OwnerStore.Backups backups(String cache, int count) {
    if (count <= 0) {
      return OwnerStore.Backups.NONE;
    }
    return (key, entry) -> {
      List<PeerAddress> targets = targets(key, count);
      if (targets.isEmpty()) {
        return CompletableFuture.completedFuture(null);
      }
      Batch batch = batching.get();
      if (batch != null && batch.cache.equals(cache)) {
        return batch.add(targets, entry);
      }
      ByteView request = ByteView.of(NodeRequest.newBuilder().setCache(cache)
          .setBackup(Backup.newBuilder().addEntries(entry)).build());
      CompletableFuture<?>[] held = new CompletableFuture<?>[targets.size()];
      for (int i = 0; i < held.length; i++) {
        held[i] = send(targets.get(i), cache, request);
      }
      return held.length == 1 ? held[0].thenApply(r -> null) : CompletableFuture.allOf(held);
    };
  }

  /** The backups of one batch of writes ({@link #batching}), one message per member. */
  private final class Batch {
    final String cache;
    final Map<PeerAddress, Backup.Builder> entries = new LinkedHashMap<>();
    final Map<PeerAddress, CompletableFuture<Void>> held = new LinkedHashMap<>();

    Batch(String cache) {
      this.cache = cache;
    }

    CompletableFuture<Void> add(List<PeerAddress> targets, BackedEntry entry) {
      CompletableFuture<?>[] all = new CompletableFuture<?>[targets.size()];
      for (int i = 0; i < all.length; i++) {
        PeerAddress target = targets.get(i);
        entries.computeIfAbsent(target, t -> Backup.newBuilder()).addEntries(entry);
        all[i] = held.computeIfAbsent(target, t -> new CompletableFuture<>());
      }
      return all.length == 1 ? all[0].thenApply(r -> null) : CompletableFuture.allOf(all);
    }

    void send() {
      entries.forEach((target, backup) -> {
        CompletableFuture<Void> done = held.get(target);
        Replication.this.send(target, cache, ByteView.of(NodeRequest.newBuilder().setCache(cache).setBackup(backup).build()))
            .whenComplete((r, failure) -> {
              if (failure != null) {
                done.completeExceptionally(failure);
              } else {
                done.complete(null);
              }
            });
      });
    }
  }

  private final ThreadLocal<Batch> batching = new ThreadLocal<>();

  /**
   * Runs {@code writes} (owner changes of {@code cache} made on this thread) with their backups
   * sent together when it returns, a message per member rather than per change: a fenced answer
   * fails every change of the message, as it would each alone. Changes still wait for their backups.
   */
  <T> T batching(String cache, java.util.function.Supplier<T> writes) {
    Batch batch = new Batch(cache);
    batching.set(batch);
    try {
      return writes.get();
    } finally {
      batching.remove();
      batch.send();
    }
  }

  /**
   * The members that back up a change of {@code key} made here: the next {@code count} available
   * members after the key's owner, leaving out this node and the owner (when this node acts for it).
   */
  List<PeerAddress> targets(ByteView key, int count) {
    List<PeerAddress> replicas = node.replicasOf(key, count + 2);
    List<PeerAddress> targets = new ArrayList<>(count);
    for (int i = 1; i < replicas.size() && targets.size() < count; i++) {
      PeerAddress member = replicas.get(i);
      if (member.equals(node.self())) {
        continue;
      }
      if (node.isAvailable(member)) {
        targets.add(member);
      } else {
        skipped.increment();
      }
    }
    return targets;
  }

  /**
   * Sends a backup: completes once held, or once it is known to have gone unanswered with no member
   * acting for this node meanwhile (the change goes on with one copy fewer, see {@link #unanswered});
   * fails if the member refused it, having acted as the owner, or if one may have.
   */
  CompletableFuture<Void> send(PeerAddress member, String cache, ByteView request) {
    sent.increment();
    long actedBefore = ownership.actedFor();
    // one future and one stage per backup, as every write with backups sends one: only a backup that
    // went unanswered takes the slow way through unanswered
    CompletableFuture<Void> held = new CompletableFuture<>();
    introductions.call(cache, () -> node.call(member, CacheService.NAME, request, timeout)).whenComplete((reply, failure) -> {
      NodeResponse response = null;
      if (failure == null) {
        try {
          response = NodeResponse.parseFrom(reply.asReadOnlyBuffer());
        } catch (InvalidProtocolBufferException e) {
          // unreadable: as good as unanswered
        }
      }
      if (response == null) {
        unanswered(member, actedBefore).whenComplete((r, refused) -> {
          if (refused == null) {
            held.complete(null);
          } else {
            held.completeExceptionally(refused);
          }
        });
      } else if (response.getFenced()) {
        fenced.increment();
        held.completeExceptionally(new CacheException(member + " acted as the owner of this key while this node was"
            + " unreachable; the write was not applied, try again"));
      } else {
        held.complete(null);
      }
    });
    return held;
  }

  /**
   * A backup that was not answered: its member may be dead, and then the change goes on with one
   * copy fewer (counted), so that a dead member stalls no write. But the call may also have timed
   * out because this node was paused, or cut off, past its ownership leases, and a member may have
   * acted for it meanwhile: the change may be replaced by what that member hands back, or the
   * member may have answered reads of the key without it. Which of the two, this node knows once
   * its leases hold again ({@link OwnershipLeases#ready}): if a member has said it acted, or handed
   * entries back, since the backup was sent, the change is not acknowledged.
   */
  private CompletableFuture<Void> unanswered(PeerAddress member, long actedBefore) {
    return ownership.ready().thenApply(ready -> {
      if (ownership.actedFor() != actedBefore) {
        unconfirmed.increment();
        throw new CacheException(member + " did not answer a backup, and a member acted for this node meanwhile"
            + " (it was paused or cut off); the write was not applied, try again");
      }
      skipped.increment();
      return null;
    });
  }

  /**
   * Keeps a member's backups, unless this node has acted for that member since it was last heard:
   * whether they were kept (else the answer is {@code fenced}).
   */
  boolean keep(PeerAddress sender, String cache, long maxBytes, Backup backup) {
    BackupStore store = store(cache, maxBytes);
    if (sender == null) {
      backup.getEntriesList().forEach(store::keep);
      return true;
    }
    // atomic with mayAct's start of acting for the sender: a backup kept here is one the first
    // acting operation finds; one that arrives after it is refused
    boolean[] kept = {false};
    actingFor.compute(sender, (owner, acting) -> {
      if (acting == null) {
        backup.getEntriesList().forEach(store::keep);
        kept[0] = true;
      }
      return acting;
    });
    if (!kept[0]) {
      fenced.increment();
    }
    return kept[0];
  }

  /**
   * Checks that this node may act as the owner of {@code key}: its owner is unavailable here too and
   * this node is the first available member after it. Returns the owner acted for.
   *
   * @throws io.grpc.StatusRuntimeException ABORTED if this node may not act for it (yet)
   */
  PeerAddress mayAct(ByteView key) {
    List<PeerAddress> replicas = node.replicasOf(key, node.peers().size());
    PeerAddress owner = replicas.get(0);
    // counted before the owner is looked at: a hand-back that finds none under way and the owner
    // answering is sure that no operation it did not wait for acts for it
    java.util.concurrent.atomic.AtomicInteger under = underWay.computeIfAbsent(owner,
        o -> new java.util.concurrent.atomic.AtomicInteger());
    under.incrementAndGet();
    try {
      if (owner.equals(node.self()) || node.isAvailable(owner)) {
        throw Status.ABORTED.withDescription(NOT_ACTING + owner + " owns this key and answers " + node.self())
            .asRuntimeException();
      }
      for (int i = 1; i < replicas.size(); i++) {
        PeerAddress member = replicas.get(i);
        if (member.equals(node.self())) {
          break;
        }
        if (node.isAvailable(member)) {
          throw Status.ABORTED.withDescription(NOT_ACTING + member + ", not " + node.self() + ", acts for " + owner)
              .asRuntimeException();
        }
      }
    } catch (RuntimeException e) {
      under.decrementAndGet();
      throw e;
    }
    if (actingFor.putIfAbsent(owner, ticker.read() + leaseNanos) == null) {
      LOG.log(Level.WARNING, "acting as the owner of {0}''s keys: it does not answer", owner);
    }
    acted.increment();
    return owner;
  }

  /** An operation {@link #mayAct} let this node answer for {@code owner} has been answered. */
  void actingDone(PeerAddress owner) {
    underWay.get(owner).decrementAndGet();
  }

  /**
   * Records a key an acting write changed, so that its hand-back carries the key even if the write
   * removed it; false if this node already keeps {@link #MAX_ACTED_KEYS} of them for the owner.
   */
  boolean actedOn(PeerAddress owner, String cache, ByteView key) {
    Map<String, java.util.Set<ByteView>> byCache = actedKeys.computeIfAbsent(owner, o -> new ConcurrentHashMap<>());
    java.util.Set<ByteView> keys = byCache.computeIfAbsent(cache, c -> ConcurrentHashMap.newKeySet());
    if (keys.contains(key)) {
      return true;
    }
    int total = byCache.values().stream().mapToInt(java.util.Set::size).sum();
    return total < MAX_ACTED_KEYS && keys.add(key);
  }

  /**
   * {@code owner} took the key's entry back: unless an acting write changes it again, it is not
   * sent again; and this node, its backup, keeps it as one, as it did before it acted (the owner's
   * own backup of it is refused until the hand-back ends).
   */
  void handedBack(PeerAddress owner, String cache, ByteView key, dev.groupcache.jcache.proto.HandedEntry e) {
    BackupStore backups = stores.get(cache);
    List<PeerAddress> replicas = node.replicasOf(key, 2);
    if (backups != null && replicas.size() > 1 && replicas.get(1).equals(node.self())) {
      backups.keep(BackedEntry.newBuilder().setKey(e.getKey()).setValue(e.getValue()).setVersion(e.getVersion())
          .setRemainingMillis(e.getRemainingMillis()).setRemoved(e.getRemoved()).build());
    }
    Map<String, java.util.Set<ByteView>> byCache = actedKeys.get(owner);
    java.util.Set<ByteView> keys = byCache == null ? null : byCache.get(cache);
    if (keys != null) {
      keys.remove(key);
    }
  }

  /** The keys of {@code cache} that acting writes for {@code owner} changed since it was last handed back. */
  java.util.Set<ByteView> actedKeys(PeerAddress owner, String cache) {
    Map<String, java.util.Set<ByteView>> byCache = actedKeys.get(owner);
    java.util.Set<ByteView> keys = byCache == null ? null : byCache.get(cache);
    return keys == null ? java.util.Set.of() : java.util.Set.copyOf(keys);
  }

  /**
   * Waits until no operation acting for {@code owner} is under way, at most {@code bound}: an
   * acting write waits out copy leases before it applies, and its entry must be in the hand-back.
   */
  boolean awaitActingDone(PeerAddress owner, Duration bound) throws InterruptedException {
    java.util.concurrent.atomic.AtomicInteger under = underWay.get(owner);
    long deadline = System.nanoTime() + bound.toNanos();
    while (under != null && under.get() > 0) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      Thread.sleep(5);
    }
    return true;
  }

  /** Whether this node has acted for {@code owner} since it was last heard. */
  boolean isActingFor(PeerAddress owner) {
    return actingFor.containsKey(owner);
  }

  /**
   * How long (nanoseconds) an acting write must wait before it may be acknowledged: until the
   * copies the owner granted before it stopped answering are surely dead. 0 once that has passed.
   */
  long actingWritableIn(PeerAddress owner) {
    Long at = actingFor.get(owner);
    return at == null ? 0 : Math.max(0, at - ticker.read());
  }

  /**
   * The owners this node acted for that answer again and are not being handed back to yet: their
   * entries go back to them ({@link #handedBack} ends it). Owners that left the ring are forgotten:
   * their keys are this node's own on the new ring.
   */
  List<PeerAddress> ownersBack() {
    List<PeerAddress> back = new ArrayList<>();
    for (PeerAddress owner : actingFor.keySet()) {
      if (!node.peers().contains(owner)) {
        actingFor.remove(owner);
        actedKeys.remove(owner);
      } else if (node.isAvailable(owner) && handingBack.add(owner)) {
        back.add(owner);
      }
    }
    return back;
  }

  /**
   * A hand-back to {@code owner} ended; with {@code all} taken, this node stops acting for it and
   * takes its backups again. Otherwise it goes on refusing them, and the next tick tries again.
   */
  void handedBack(PeerAddress owner, boolean all) {
    if (all && actingFor.remove(owner) != null) {
      actedKeys.remove(owner);
      LOG.log(Level.INFO, "{0} has its keys back: no longer acting for it", owner);
    }
    handingBack.remove(owner);
  }

  private final java.util.Set<PeerAddress> handingBack = ConcurrentHashMap.newKeySet();

  /**
   * Sends the entries of {@code stores} that this node owns to their backups, batched: after a
   * ring change, their backups may be other members than before. Returns how many were sent.
   */
  int backfill(Map<String, OwnerStore> owned, java.util.function.ToIntFunction<String> counts) {
    return backfill(owned, counts, null);
  }

  /**
   * As {@link #backfill(Map, java.util.function.ToIntFunction)}, only to {@code member} (null: to
   * every backup): one that answers again after a suspicion, or restarted at its address, missed
   * the changes made meanwhile (their backups went to the member after it, or nowhere), and it is
   * the one that acts for their owner should the owner fail next.
   */
  int backfill(Map<String, OwnerStore> owned, java.util.function.ToIntFunction<String> counts, PeerAddress member) {
    int total = 0;
    for (Map.Entry<String, OwnerStore> store : owned.entrySet()) {
      int count = counts.applyAsInt(store.getKey());
      if (count <= 0) {
        continue;
      }
      Map<PeerAddress, List<BackedEntry>> byTarget = new LinkedHashMap<>();
      for (BackedEntry e : store.getValue().ownedEntries(key -> node.ownerOf(key).equals(node.self()))) {
        for (PeerAddress target : targets(ByteView.copyOf(e.getKey()), count)) {
          if (member == null || member.equals(target)) {
            byTarget.computeIfAbsent(target, t -> new ArrayList<>()).add(e);
          }
        }
      }
      for (Map.Entry<PeerAddress, List<BackedEntry>> target : byTarget.entrySet()) {
        total += sendBatches(target.getKey(), store.getKey(), target.getValue());
      }
    }
    return total;
  }

  private int sendBatches(PeerAddress target, String cache, List<BackedEntry> entries) {
    int from = 0;
    while (from < entries.size()) {
      Backup.Builder batch = Backup.newBuilder();
      long bytes = 0;
      int to = from;
      while (to < entries.size() && to - from < Handover.BATCH_ENTRIES
          && (to == from || bytes + entries.get(to).getValue().size() <= Handover.BATCH_BYTES)) {
        bytes += entries.get(to).getKey().size() + entries.get(to).getValue().size();
        batch.addEntries(entries.get(to++));
      }
      try {
        send(target, cache, ByteView.of(NodeRequest.newBuilder().setCache(cache).setBackup(batch).build()))
            .get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return from;
      } catch (Exception e) {
        return from; // refused or unreachable: the next change tries again
      }
      from = to;
    }
    return entries.size();
  }

  /**
   * Sends {@code member}, which answers again after a suspicion (or a restart at its address), the
   * backups of this node's entries it missed meanwhile ({@link #backfill(Map,
   * java.util.function.ToIntFunction, PeerAddress)}), on a thread of its own: a large store takes a
   * while, and a hand-back must not wait behind it. One pass; a refused or failed batch ends it,
   * and the next change of each key sends its backup anyway.
   */
  void refill(PeerAddress member, Map<String, OwnerStore> owned, java.util.function.ToIntFunction<String> counts) {
    try {
      refills.execute(() -> {
        try {
          backfill(owned, counts, member);
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "sending " + member + " the backups it missed failed", e);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed
    }
  }

  private final java.util.concurrent.ExecutorService refills = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "groupcache-refill");
    t.setDaemon(true);
    return t;
  });

  /** Stops refilling members. */
  void close() {
    refills.shutdownNow();
  }

  /** Forgets a destroyed cache's backups. */
  void drop(String cache) {
    BackupStore store = stores.remove(cache);
    if (store != null) {
      store.clear();
    }
  }

  long sent() {
    return sent.sum();
  }

  /** Backups not sent or not held because their member was unavailable. */
  long skipped() {
    return skipped.sum();
  }

  /** Backups refused because this node (or the receiver) acted for their owner. */
  long fenced() {
    return fenced.sum();
  }

  /** Changes not acknowledged because a backup went unanswered while a member acted for this node. */
  long unconfirmed() {
    return unconfirmed.sum();
  }

  /** Operations this node answered as the owner of an unavailable member's key. */
  long acted() {
    return acted.sum();
  }

  long backupEntries() {
    return stores.values().stream().mapToLong(BackupStore::size).sum();
  }

  long backupBytes() {
    return stores.values().stream().mapToLong(BackupStore::bytes).sum();
  }
}
