package dev.groupcache.jcache.cluster;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.groupcache.ByteView;
import dev.groupcache.PeerAddress;
import dev.groupcache.jcache.proto.BackedEntry;
import dev.groupcache.jcache.proto.Entry;
import dev.groupcache.jcache.proto.EntriesPage;
import dev.groupcache.jcache.proto.Event;
import dev.groupcache.jcache.proto.HandedEntry;
import dev.groupcache.jcache.proto.EventType;
import dev.groupcache.jcache.proto.Loaded;
import dev.groupcache.jcache.proto.OwnerResponse;
import dev.groupcache.jcache.proto.Read;
import dev.groupcache.jcache.proto.Write;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The entries of one cache that this node owns: values as bytes, each with a version and an
 * expiry time on this node's clock, and the read-through leases of keys being loaded.
 *
 * <p>Every operation on a key runs under that key's lock, and a change publishes its event while
 * holding it, so events of one key leave in the order of the changes. The reply to a change waits
 * for the event to be applied everywhere (bounded by the sink). Expiry is checked when an entry is
 * touched, so that an {@code EXPIRED} event is published before the touching operation answers;
 * entries nobody touches are reclaimed by a sweep on the node's timer ({@link #sweepExpired}),
 * with their event then.
 *
 * <p>Memory is bounded by weight (key + value + per-entry overhead); an entry evicted for room
 * simply disappears, as JCache has no eviction event.
 *
 * <p>Long (over 400 lines) because every operation on an owned entry is here, under its key's
 * lock: split, the locking discipline would be spread over files.
 */
public final class OwnerStore {
  /** What an entry costs beyond its bytes: the store's record and the cache's node. */
  static final int ENTRY_OVERHEAD_BYTES = 200;
  private static final int STRIPES = 1024;

  /**
   * Publishes a change; completes when every node has applied it, or the sink gave up waiting,
   * with the first synchronous listener's failure, or null.
   */
  interface EventSink {
    /** {@code holders}: the members that may hold a copy of the key, which must drop it. */
    CompletableFuture<String> publish(Event event, List<PeerAddress> holders);

    /**
     * Tells {@code holders} to drop their copies of {@code key}, with no event: its entry was
     * replaced by one a member acted on or handed over, which its listeners have heard of already.
     */
    CompletableFuture<String> drop(ByteView key, List<PeerAddress> holders);
  }

  /** Where this store's changes are backed up ({@link Replication}). */
  interface Backups {
    /**
     * Sends the key's new state to its backup; called under the key's lock, so that one key's
     * backups leave in the order of its changes. Completes once the backup holds it, or at once if
     * there is no backup to hold it; fails if the backup refused it (it acted as this key's owner
     * meanwhile), and the change is then not acknowledged.
     */
    CompletableFuture<Void> replicate(ByteView key, BackedEntry entry);

    Backups NONE = (key, entry) -> CompletableFuture.completedFuture(null);
  }

  /** Copy leases granted by this node to readers that keep copies ({@link CopyGrants}). */
  interface Grants {
    /** The member a read names as its holder, parsed once per member rather than once per read. */
    PeerAddress holder(String spelled);

    /** A lease for {@code holder} from now, in nanoseconds; 0 if withheld. */
    long grant(PeerAddress holder);

    /** This run of the node. */
    long incarnation();

    /** What a holder's reckoning of a lease may differ by. */
    long marginNanos();
  }

  /**
   * One entry. {@code expiresAt} is a reading of the store's ticker, or Long.MAX_VALUE; {@code
   * handedOver}: it came from the key's previous owner and nothing has changed it here since.
   */
  private static final class Stored {
    final ByteView value;
    final long version;
    final long expiresAt;
    final boolean handedOver;
    /**
     * The {@link #ringEpoch} under which a read found this node the key's owner, so that later reads
     * of the entry need not look the owner up on the ring. Written without synchronization: a read
     * that sees an older value looks the owner up again.
     */
    int ownedInEpoch = -1;

    Stored(ByteView value, long version, long expiresAt, boolean handedOver) {
      this.value = value;
      this.version = version;
      this.expiresAt = expiresAt;
      this.handedOver = handedOver;
    }

    Stored(ByteView value, long version, long expiresAt) {
      this(value, version, expiresAt, false);
    }

    boolean expired(long now) {
      return expiresAt != Long.MAX_VALUE && now - expiresAt >= 0;
    }
  }

  /**
   * A reader waiting for a load; {@code holder}, if not null, will keep a copy of the value, as a
   * read that finds the entry does.
   */
  private record Waiter(CompletableFuture<OwnerResponse> answer, PeerAddress holder, long copyMillis) {}

  /** A key being loaded by one caller, with the readers waiting for it. */
  private static final class Lease {
    final long id;
    final List<Waiter> waiters = new ArrayList<>();
    ScheduledFuture<?> timeout;

    Lease(long id) {
      this.id = id;
    }
  }

  private final Cache<ByteView, Stored> entries;
  /**
   * Keys left without an entry here since the last ring change, for a while: by a removal, an
   * expiry, an eviction, or a write or load that found none and stored none. An entry handed over
   * later is older than that; a key whose entry is present needs no record, its entry says it.
   * (Recording every write instead cost a second cache's put per write for a minute after any
   * ring change, the startup's included.)
   */
  private final Cache<ByteView, Boolean> absentSinceRingChange;
  private volatile long ringChangedAt = Long.MIN_VALUE / 2;
  /** Counts ring changes (from 0), to tell which entries were found owned under the current ring. */
  private final AtomicInteger ringEpoch = new AtomicInteger();
  private static final long HANDOVER_NANOS = Handover.GIVE_UP.toNanos();
  // changed under the key's stripe; concurrent so that a ring change can look through it
  private final Map<ByteView, Lease> leases = new ConcurrentHashMap<>();
  private volatile OwnerLoads peerLoads; // null: peers load their own misses under this node's leases
  private final Object[] stripes = new Object[STRIPES];
  // Versions start from the wall clock (65,536 a millisecond), so that a later run of an owner, or a
  // backup acting for it, numbers its entries above those of an earlier run: backups keep the
  // highest version of a key.
  private final AtomicLong versions = new AtomicLong(System.currentTimeMillis() << 16);
  private final AtomicLong leaseIds = new AtomicLong();
  private final LongAdder evictions = new LongAdder();
  private final ExpirySweep<ByteView, Stored> expirySweep;
  private final EventSink events;
  private final Backups backups;
  private final Grants grants;
  private final CopyHolders holders;
  private final ScheduledExecutorService timer;
  private final Ticker ticker;
  private final long leaseNanos;

  /**
   * @param leaseMillis how long a caller may take to load a key before another may
   * @param grants the copy leases of readers that keep copies
   * @param maxHolderKeys how many keys the directory of copy holders keeps at most
   * @param backups where changes are backed up
   * @param ticker the clock entries expire by
   */
  public OwnerStore(long maxBytes, long leaseMillis, EventSink events, Backups backups, Grants grants,
      long maxHolderKeys, ScheduledExecutorService timer, Ticker ticker) {
    this.ticker = ticker;
    this.events = events;
    this.backups = backups;
    this.grants = grants;
    this.holders = new CopyHolders(maxHolderKeys, ticker);
    this.timer = timer;
    this.leaseNanos = TimeUnit.MILLISECONDS.toNanos(leaseMillis);
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Object();
    }
    this.absentSinceRingChange = Caffeine.newBuilder().ticker(ticker).executor(Runnable::run)
        .maximumSize(maxHolderKeys).expireAfterWrite(Handover.GIVE_UP.multipliedBy(2)).build();
    this.entries = Caffeine.newBuilder()
        // Maintenance on the caller: a hand-off to another thread costs a wake-up per write.
        .executor(Runnable::run)
        .maximumWeight(maxBytes)
        .weigher((ByteView k, Stored s) -> k.length() + s.value.length() + ENTRY_OVERHEAD_BYTES)
        // No Caffeine expiry: with it every read is recorded for its timer wheel, which costs a
        // read several times a map lookup. Expiry is this store's own: see sweepExpired.
        .evictionListener((ByteView key, Stored s, RemovalCause cause) -> {
          evictions.increment();
          rememberAbsent(key, ticker.read());
        })
        .build();
    this.expirySweep = new ExpirySweep<>(entries.asMap(), s -> s.expiresAt);
  }

  private Object stripe(ByteView key) {
    int h = key.hashCode();
    return stripes[(h ^ (h >>> 16)) & (STRIPES - 1)];
  }

  /** Stores an entry; under its key's lock. */
  private void store(ByteView key, Stored s) {
    expirySweep.kept(s.expiresAt);
    entries.put(key, s);
  }

  /**
   * Reclaims expired entries nobody touched, publishing their {@code EXPIRED} events: looks at up
   * to {@code budget} entries, going on from where the last call stopped, so that a pass over a
   * large store is spread over ticks. Costs nothing for a store none of whose entries expire.
   * Called by one thread at a time (the node's timer).
   */
  void sweepExpired(int budget) {
    expirySweep.sweep(budget, ticker.read(), (key, s) -> {
      synchronized (stripe(key)) {
        expireIfDue(key, entries.getIfPresent(key), ticker.read());
      }
    });
  }

  /**
   * Reads an entry; with a lease, a miss makes the caller load it or wait for another's load. A
   * read from a holder that will keep a copy of a present value records it as a holder of the key
   * and grants it a copy lease.
   */
  CompletableFuture<OwnerResponse> read(ByteView key, Read read) {
    return read(key, read, false);
  }

  /**
   * As {@link #read(ByteView, Read)}; a peer's miss that would grant it a lease is loaded by this
   * node instead ({@link #loadForPeers}), if it has a loader with room, and the peer waits for it
   * like any other waiter.
   */
  CompletableFuture<OwnerResponse> read(ByteView key, Read read, boolean fromPeer) {
    OwnerLoads loads = null;
    PeerAddress holder = read.getHolder().isEmpty() ? null : grants.holder(read.getHolder());
    CompletableFuture<String> published;
    OwnerResponse answer;
    CompletableFuture<OwnerResponse> waitForLoad = null;
    long loadingUnder = 0;
    synchronized (stripe(key)) {
      long now = ticker.read();
      Stored s = entries.getIfPresent(key);
      published = expireIfDue(key, s, now);
      if (published != null) {
        s = null;
      }
      if (s != null) {
        answer = present(s, now); // the value as read, even if this access expires it
        if (holder != null) {
          answer = withCopyLease(key, holder, read.getCopyMillis(), answer, now);
        }
        long access = read.hasAccessTtlMillis() ? read.getAccessTtlMillis() : -1;
        if (!read.getQuiet() && access >= 0) {
          published = touch(key, s, access, now);
        }
      } else if (read.getLease()) {
        Lease lease = leases.get(key);
        if (lease != null) {
          CompletableFuture<OwnerResponse> waiter = new CompletableFuture<>();
          lease.waiters.add(new Waiter(waiter, holder, read.getCopyMillis()));
          return waiter;
        }
        Lease granted = grantLease(key);
        loads = fromPeer ? peerLoads : null;
        if (loads == null || !loads.reserve()) {
          answer = OwnerResponse.newBuilder().setLease(granted.id).build();
        } else { // this node loads, under a lease of its own; the caller waits for it
          CompletableFuture<OwnerResponse> waiter = new CompletableFuture<>();
          granted.waiters.add(new Waiter(waiter, holder, read.getCopyMillis()));
          waitForLoad = waiter.thenApply(r -> r.getPresent() ? r.toBuilder().setLoadedForRead(true).build() : r);
          loadingUnder = granted.id;
          answer = null;
        }
      } else {
        answer = OwnerResponse.getDefaultInstance();
      }
    }
    if (waitForLoad != null) {
      loads.start(key, loadingUnder);
      return waitForLoad;
    }
    return reply(published, answer);
  }

  /**
   * The answer with a copy lease for {@code holder}, recorded as holding the key for as long as its
   * copy can live; without one if the lease is withheld or the directory is full.
   */
  private OwnerResponse withCopyLease(ByteView key, PeerAddress holder, long copyMillis, OwnerResponse answer,
      long now) {
    long grant = grants.grant(holder);
    long life = TimeUnit.MILLISECONDS.toNanos(answer.getRemainingMillis() < 0 ? copyMillis
        : Math.min(copyMillis, answer.getRemainingMillis()));
    if (grant <= 0 || life <= 0 || !holders.add(key, holder, now + life + grants.marginNanos(), now)) {
      return answer;
    }
    return answer.toBuilder().setCopyLeaseMillis(TimeUnit.NANOSECONDS.toMillis(grant))
        .setOwnerIncarnation(grants.incarnation()).build();
  }

  /** Publishes a change of the key to its listeners and to the holders of its copies; under its lock. */
  private CompletableFuture<String> publish(ByteView key, Event event) {
    return events.publish(event, holders.take(key, ticker.read()));
  }

  /** Applies an access ttl; a ttl of 0 expires the entry, and then returns the event's publication. */
  private CompletableFuture<String> touch(ByteView key, Stored s, long ttlMillis, long now) {
    if (ttlMillis == 0) {
      unstore(key, now);
      return both(publish(key, event(EventType.EXPIRED, key, s.value, null)), replicateRemoval(key, s));
    }
    store(key, new Stored(s.value, s.version, deadline(now, ttlMillis), s.handedOver));
    return null; // the backup keeps its own expiry: a failover may expire the entry earlier, never later
  }

  /** Puts or removes an entry if the write's condition holds. */
  CompletableFuture<OwnerResponse> write(ByteView key, Write write) {
    CompletableFuture<String> published;
    OwnerResponse.Builder answer = OwnerResponse.newBuilder();
    synchronized (stripe(key)) {
      long now = ticker.read();
      Stored old = entries.getIfPresent(key);
      CompletableFuture<String> expiry = expireIfDue(key, old, now);
      if (expiry != null) {
        old = null;
      }
      answer.setPresent(old != null);
      if (old != null && write.getReturnOld()) {
        answer.setValue(bytes(old.value));
      }
      if (!holds(write, old)) {
        answer.setVersion(old == null ? 0 : old.version);
        long access = write.hasAccessTtlMillis() ? write.getAccessTtlMillis() : -1;
        published = old != null && access >= 0 ? touch(key, old, access, now) : expiry;
      } else if (write.getRemove()) {
        answer.setApplied(old != null);
        if (old != null) {
          unstore(key, now);
          published = both(publish(key, event(EventType.REMOVED, key, old.value, null)), replicateRemoval(key, old));
        } else {
          published = expiry;
        }
      } else {
        answer.setApplied(true);
        ByteView value = ByteView.copyOf(write.getValue());
        long ttl = old == null
            ? (write.hasCreateTtlMillis() ? write.getCreateTtlMillis() : -1)
            : (write.hasUpdateTtlMillis() ? write.getUpdateTtlMillis() : -1);
        published = both(expiry, put(key, old, value, ttl, now, answer));
      }
      rememberIfAbsent(key, now);
    }
    return reply(published, answer.build());
  }

  /** Both publications (either may be null), in the order given: the first listener failure of either. */
  private static CompletableFuture<String> both(CompletableFuture<String> first, CompletableFuture<String> then) {
    if (first == null || then == null) {
      return first == null ? then : first;
    }
    return first.thenCombine(then, (a, b) -> a != null ? a : b);
  }

  /**
   * Backs up the key's entry as just stored over {@code previous} (null: none); under its lock. If
   * the backup refuses it (it acted as this key's owner meanwhile), the change is undone here, unless
   * the key changed again: it was not acknowledged, and the acting member hands its own entries back.
   */
  private CompletableFuture<String> replicate(ByteView key, Stored s, Stored previous, long now) {
    if (backups == Backups.NONE) {
      return null; // a cache without backups builds no message per write
    }
    BackedEntry entry = BackedEntry.newBuilder().setKey(bytes(key)).setValue(bytes(s.value)).setVersion(s.version)
        .setRemainingMillis(remaining(s, now)).build();
    // the same entry, or one only touched since (same value): not one handed back under an equal version
    return whenBackedUp(key, backups.replicate(key, entry),
        current -> current != null && current.version == s.version && current.value == s.value, previous);
  }

  /** Backs up the key's removal of {@code previous}; under its lock. */
  private CompletableFuture<String> replicateRemoval(ByteView key, Stored previous) {
    if (backups == Backups.NONE) {
      return null;
    }
    long version = versions.incrementAndGet();
    return whenBackedUp(key, backups.replicate(key, BackedEntry.newBuilder().setKey(bytes(key)).setVersion(version)
        .setRemoved(true).build()), current -> current == null, previous);
  }

  /**
   * The backup's outcome as a publication: null if held already; else completes when it is held,
   * or fails after restoring {@code previous} if the entry is still as the change left it.
   */
  private CompletableFuture<String> whenBackedUp(ByteView key, CompletableFuture<Void> backedUp,
      Predicate<Stored> unchanged, Stored previous) {
    if (backedUp.isDone() && !backedUp.isCompletedExceptionally()) {
      return null; // no backup, or already held: nothing to wait for
    }
    return backedUp.handle((held, failure) -> {
      if (failure != null) {
        synchronized (stripe(key)) {
          if (unchanged.test(entries.getIfPresent(key))) {
            if (previous != null) {
              store(key, previous);
            } else {
              unstore(key, ticker.read());
            }
          }
        }
        throw failure instanceof java.util.concurrent.CompletionException c ? c : new java.util.concurrent.CompletionException(failure);
      }
      return null;
    });
  }

  /** The answer, once the change it made (if any) is applied everywhere, with any listener failure. */
  private static CompletableFuture<OwnerResponse> reply(CompletableFuture<String> published, OwnerResponse answer) {
    if (published == null) {
      return CompletableFuture.completedFuture(answer);
    }
    return published.thenApply(failure -> failure == null ? answer : answer.toBuilder().setListenerFailure(failure).build());
  }

  /**
   * Stores a value over {@code old} (null: a creation) with the given ttl; a ttl of 0 stores
   * nothing (a creation) or expires the entry (an update). Returns the event's publication.
   */
  private CompletableFuture<String> put(ByteView key, Stored old, ByteView value, long ttlMillis, long now,
      OwnerResponse.Builder answer) {
    if (ttlMillis == 0) {
      if (old == null) {
        answer.setVersion(0);
        return null; // expired on arrival: never stored, never seen
      }
      unstore(key, now);
      answer.setVersion(0);
      return both(publish(key, event(EventType.EXPIRED, key, old.value, null)), replicateRemoval(key, old));
    }
    long expiresAt = ttlMillis < 0 ? (old == null ? Long.MAX_VALUE : old.expiresAt) : deadline(now, ttlMillis);
    Stored stored = new Stored(value, versions.incrementAndGet(), expiresAt);
    store(key, stored);
    answer.setVersion(stored.version).setRemainingMillis(remaining(stored, now));
    CompletableFuture<String> backedUp = replicate(key, stored, old, now);
    return both(old == null
        ? publish(key, event(EventType.CREATED, key, null, value))
        : publish(key, event(EventType.UPDATED, key, old.value, value)), backedUp);
  }

  /** Ends a lease: stores what was loaded if the key is still absent, and answers its waiters. */
  CompletableFuture<OwnerResponse> loaded(ByteView key, Loaded loaded) {
    List<Waiter> waiters = List.of();
    OwnerResponse reply;
    List<OwnerResponse> answers = new ArrayList<>();
    CompletableFuture<String> published = null;
    OwnerResponse.Builder answer = OwnerResponse.newBuilder();
    synchronized (stripe(key)) {
      Lease lease = leases.get(key);
      if (lease != null && lease.id == loaded.getLease()) {
        leases.remove(key);
        lease.timeout.cancel(false);
        waiters = lease.waiters;
      }
      long now = ticker.read();
      Stored current = entries.getIfPresent(key);
      published = expireIfDue(key, current, now);
      if (published != null) {
        current = null;
      }
      if (!loaded.getFailure().isEmpty()) {
        answer.setLoadFailure(loaded.getFailure());
      } else if (current != null) {
        answer.setPresent(true).setValue(bytes(current.value)).setVersion(current.version)
            .setRemainingMillis(remaining(current, now)); // someone put while it loaded: theirs stands
      } else if (loaded.getHasValue()) {
        ByteView value = ByteView.copyOf(loaded.getValue());
        published = both(published,
            put(key, null, value, loaded.hasCreateTtlMillis() ? loaded.getCreateTtlMillis() : -1, now, answer));
        answer.setApplied(true).setPresent(answer.getVersion() != 0).setValue(loaded.getValue());
      }
      rememberIfAbsent(key, now);
      reply = answer.build();
      // Waiters that will keep a copy are recorded as holders here, under the key's lock, as a
      // read that finds the entry is: a write after this one drops their copies.
      for (Waiter w : waiters) {
        answers.add(w.holder() == null || !reply.getPresent() ? reply
            : withCopyLease(key, w.holder(), w.copyMillis(), reply, now));
      }
    }
    for (int i = 0; i < waiters.size(); i++) {
      reply(published, answers.get(i)).thenAccept(waiters.get(i).answer()::complete);
    }
    return reply(published, reply);
  }

  /** The loader this node runs for peers' misses of this cache's keys, or null for none. */
  void loadForPeers(OwnerLoads loads) {
    peerLoads = loads;
  }

  private Lease grantLease(ByteView key) {
    Lease lease = new Lease(leaseIds.incrementAndGet());
    leases.put(key, lease);
    lease.timeout = timer.schedule(() -> expireLease(key, lease), leaseNanos, TimeUnit.NANOSECONDS);
    return lease;
  }

  /**
   * The ring changed: the leases of keys this node no longer owns end, and their waiters ask the
   * new owner, rather than wait for a loader that will report there (or until the lease runs out).
   */
  void releaseMoved(Predicate<ByteView> ownedHere) {
    leases.forEach((key, lease) -> {
      if (!ownedHere.test(key)) {
        expireLease(key, lease);
      }
    });
  }

  /** The loader's node did not report in time: its waiters ask again, and one of them loads. */
  private void expireLease(ByteView key, Lease lease) {
    List<Waiter> waiters;
    synchronized (stripe(key)) {
      if (!leases.remove(key, lease)) {
        return;
      }
      waiters = lease.waiters;
    }
    OwnerResponse retry = OwnerResponse.newBuilder().setRetry(true).build();
    waiters.forEach(w -> w.answer().complete(retry));
  }

  private static boolean holds(Write write, Stored old) {
    switch (write.getCondition()) {
      case ABSENT:
        return old == null;
      case VERSION:
        return old == null ? write.getExpectedVersion() == 0 : old.version == write.getExpectedVersion();
      case PRESENT:
        return old != null;
      case ANY:
        return true;
      default:
        return false; // a condition this build does not know holds never: refusing loses nothing
    }
  }

  /** Removes an entry found expired, publishing its event; null if it is not due. */
  private CompletableFuture<String> expireIfDue(ByteView key, Stored s, long now) {
    if (s == null || !s.expired(now)) {
      return null;
    }
    if (entries.asMap().remove(key, s)) {
      rememberAbsent(key, now);
    }
    return publish(key, event(EventType.EXPIRED, key, s.value, null));
  }

  /** Drops every entry, without events (clear). */
  void clear() {
    long now = ticker.read();
    if (handingOver(now)) {
      entries.asMap().keySet().forEach(key -> rememberAbsent(key, now));
    }
    entries.invalidateAll();
  }

  /**
   * Up to {@code limit} live entries with keys after {@code after} in byte order (null: from the
   * start), whose keys and values fit in {@code maxBytes}; the first entry is taken whatever its
   * size, so that every page makes progress. One pass over the store that keeps only the
   * {@code limit} smallest keys, so that a page of a store of any size costs the page, not the store.
   */
  EntriesPage page(ByteView after, int limit, int maxBytes) {
    long now = ticker.read();
    // the largest of the smallest keys so far on top, to be dropped for a smaller one
    PriorityQueue<Map.Entry<ByteView, Stored>> smallest =
        new PriorityQueue<>(Math.min(limit, 1024), Map.Entry.<ByteView, Stored>comparingByKey().reversed());
    boolean more = false;
    for (Map.Entry<ByteView, Stored> e : entries.asMap().entrySet()) {
      if (e.getValue().expired(now) || (after != null && e.getKey().compareTo(after) <= 0)) {
        continue;
      }
      if (smallest.size() < limit) {
        smallest.add(e);
      } else {
        more = true;
        if (e.getKey().compareTo(smallest.peek().getKey()) < 0) {
          smallest.poll();
          smallest.add(e);
        }
      }
    }
    List<Map.Entry<ByteView, Stored>> live = new ArrayList<>(smallest);
    live.sort(Map.Entry.comparingByKey());
    EntriesPage.Builder page = EntriesPage.newBuilder();
    long bytes = 0;
    int taken = 0;
    while (taken < live.size()) {
      Map.Entry<ByteView, Stored> e = live.get(taken);
      long size = e.getKey().length() + e.getValue().value.length();
      if (taken > 0 && bytes + size > maxBytes) {
        break;
      }
      page.addEntries(Entry.newBuilder().setKey(bytes(e.getKey())).setValue(bytes(e.getValue().value)));
      bytes += size;
      taken++;
    }
    return page.setMore(more || taken < live.size()).build();
  }

  /** The live entries whose keys this node does not own, as their new owners take them. */
  List<HandedEntry> notOwned(Predicate<ByteView> ownedHere) {
    long now = ticker.read();
    List<HandedEntry> moving = new ArrayList<>();
    for (Map.Entry<ByteView, Stored> e : entries.asMap().entrySet()) {
      Stored s = e.getValue();
      if (!s.expired(now) && !ownedHere.test(e.getKey())) {
        moving.add(HandedEntry.newBuilder().setKey(bytes(e.getKey())).setValue(bytes(s.value))
            .setVersion(s.version).setRemainingMillis(remaining(s, now)).build());
      }
    }
    return moving;
  }

  /**
   * Takes an entry from the key's previous owner, unless this store has a newer one: one written or
   * loaded here since the ring moved the key, or a later hand-over of it. No event: nothing changed
   * for the cache's users. Later versions here stay above the handed one, so that a version read
   * at the previous owner never names a different entry here.
   */
  boolean adopt(ByteView key, ByteView value, long version, long remainingMillis) {
    return adopt(key, value, version, remainingMillis, false);
  }

  /**
   * As {@link #adopt(ByteView, ByteView, long, long)}; with {@code replace} (an entry from a member
   * that acted as this key's owner, or this node's backup of it) it replaces whatever is here: what
   * this node wrote meanwhile was refused by that member, not acknowledged.
   */
  boolean adopt(ByteView key, ByteView value, long version, long remainingMillis, boolean replace) {
    return adopting(key, value, version, remainingMillis, replace) != null;
  }

  /**
   * Takes this node's backup of {@code key} into the store as it acts for the key's owner, under the
   * key's lock: a concurrent operation on the key finds the entry here or its backup still to be
   * taken, never neither (it would answer as if the key were absent).
   */
  void takeBackup(ByteView key, Supplier<HandedEntry> backup) {
    synchronized (stripe(key)) {
      HandedEntry e = backup.get();
      if (e != null) {
        adopt(key, ByteView.copyOf(e.getValue()), e.getVersion(), e.getRemainingMillis(), true);
      }
    }
  }

  /**
   * As {@link #adopt(ByteView, ByteView, long, long, boolean)}: null if the entry was not taken,
   * else completes once the members holding copies of the entry it replaced have dropped them (or
   * their leases ran out). Without that, a copy read here before the hand-back would outlive it.
   */
  CompletableFuture<String> adopting(ByteView key, ByteView value, long version, long remainingMillis,
      boolean replace) {
    synchronized (stripe(key)) {
      long now = ticker.read();
      Stored current = entries.getIfPresent(key);
      boolean older = current != null && current.version < version;
      // equal versions need equal values to be the same entry: an owner and a member acting for it
      // number their changes independently, and may give two different ones the same version
      if (replace ? current != null && current.version == version && current.value.equals(value)
          : current != null ? !(current.handedOver && older) : absentSinceRingChange.getIfPresent(key) != null) {
        return null;
      }
      versions.accumulateAndGet(version, Math::max);
      store(key, new Stored(value, version, remainingMillis < 0 ? Long.MAX_VALUE : deadline(now, remainingMillis),
          true));
      List<PeerAddress> copies = current == null ? List.of() : holders.take(key, now);
      return copies.isEmpty() ? CompletableFuture.completedFuture(null) : events.drop(key, copies);
    }
  }

  /**
   * Removes the entry of a key that a member acting for this owner removed (a hand-back), with no
   * event; completes once the holders of its copies dropped them. Null if there was none.
   */
  CompletableFuture<String> removeActedOn(ByteView key) {
    synchronized (stripe(key)) {
      Stored current = entries.getIfPresent(key);
      if (current == null) {
        return null;
      }
      unstore(key, ticker.read());
      // not backed up: the acting member, this key's backup, removed it there itself
      List<PeerAddress> copies = holders.take(key, ticker.read());
      return copies.isEmpty() ? CompletableFuture.completedFuture(null) : events.drop(key, copies);
    }
  }

  /** Whether this store's changes are backed up: another member may act for it. */
  boolean backedUp() {
    return backups != Backups.NONE;
  }

  /** The ring changed at {@code at} (a ticker reading): writes since are newer than what is handed over. */
  void ringChanged(long at) {
    ringEpoch.incrementAndGet();
    ringChangedAt = at;
  }

  private boolean handingOver(long now) {
    return now - ringChangedAt < HANDOVER_NANOS;
  }

  /** Remembers during a hand-over that the key was left without an entry; outside one, costs a clock comparison. */
  private void rememberAbsent(ByteView key, long now) {
    if (handingOver(now)) {
      absentSinceRingChange.put(key, Boolean.TRUE);
    }
  }

  /** As {@link #rememberAbsent} if the key has no entry (a write or load that stored nothing). */
  private void rememberIfAbsent(ByteView key, long now) {
    if (handingOver(now) && entries.getIfPresent(key) == null) {
      absentSinceRingChange.put(key, Boolean.TRUE);
    }
  }

  /** Removes the key's entry; under its lock. */
  private void unstore(ByteView key, long now) {
    entries.invalidate(key);
    rememberAbsent(key, now);
  }

  /** The live entries whose keys {@code ownedHere} accepts, as their backups keep them. */
  List<BackedEntry> ownedEntries(Predicate<ByteView> ownedHere) {
    long now = ticker.read();
    List<BackedEntry> owned = new ArrayList<>();
    for (Map.Entry<ByteView, Stored> e : entries.asMap().entrySet()) {
      Stored s = e.getValue();
      if (!s.expired(now) && ownedHere.test(e.getKey())) {
        owned.add(BackedEntry.newBuilder().setKey(bytes(e.getKey())).setValue(bytes(s.value))
            .setVersion(s.version).setRemainingMillis(remaining(s, now)).build());
      }
    }
    return owned;
  }

  /** Backs up the key's entry again as it is here (it came from elsewhere); done at once if there is none. */
  CompletableFuture<Void> backUp(ByteView key) {
    synchronized (stripe(key)) {
      long now = ticker.read();
      Stored s = entries.getIfPresent(key);
      if (s == null || s.expired(now)) {
        return CompletableFuture.completedFuture(null);
      }
      CompletableFuture<String> held = replicate(key, s, s, now);
      return held == null ? CompletableFuture.completedFuture(null) : held.handle((r, t) -> null);
    }
  }

  /** The live entry of {@code key} as its new owner takes it, or null. */
  HandedEntry handedEntry(ByteView key) {
    long now = ticker.read();
    Stored s = entries.getIfPresent(key);
    if (s == null || s.expired(now)) {
      return null;
    }
    return HandedEntry.newBuilder().setKey(bytes(key)).setValue(bytes(s.value)).setVersion(s.version)
        .setRemainingMillis(remaining(s, now)).build();
  }

  /**
   * The value of a live entry if this node owns its key, read without the key's lock: for a read
   * that changes nothing (no access expiry, no copy lease, no load lease), which the map's atomic
   * read makes as current as one under the lock. Null if absent, due to expire or not owned here:
   * the full {@link #read} handles those. An entry found owned is not looked up on the ring again
   * until the ring changes.
   */
  ByteView liveValue(ByteView key, Predicate<ByteView> ownedHere) {
    Stored s = entries.getIfPresent(key);
    if (s == null || (s.expiresAt != Long.MAX_VALUE && s.expiresAt - ticker.read() <= 0)) {
      return null;
    }
    int epoch = ringEpoch.get(); // before the ring is read: a change after it makes the stamp stale
    if (s.ownedInEpoch != epoch) {
      if (!ownedHere.test(key)) {
        return null;
      }
      s.ownedInEpoch = epoch;
    }
    return s.value;
  }

  /** Whether the store has an entry of {@code key}, live or not. */
  boolean has(ByteView key) {
    return entries.getIfPresent(key) != null;
  }

  /** Forgets an entry its new owner took, unless it changed since it was handed over. */
  void handedOff(ByteView key, long version) {
    synchronized (stripe(key)) {
      Stored s = entries.getIfPresent(key);
      if (s != null && s.version == version) {
        entries.asMap().remove(key, s);
      }
    }
  }

  /** Forgets the entries of keys this node does not own (their owners could not take them). */
  int forgetNotOwned(Predicate<ByteView> ownedHere) {
    int forgotten = 0;
    for (ByteView key : List.copyOf(entries.asMap().keySet())) {
      if (!ownedHere.test(key) && entries.asMap().remove(key) != null) {
        forgotten++;
      }
    }
    return forgotten;
  }

  long evictions() {
    return evictions.sum();
  }

  long size() {
    return entries.estimatedSize();
  }

  /** The weight of the entries held: keys, values and per-entry overhead. */
  long bytes() {
    return entries.policy().eviction().map(e -> e.weightedSize().orElse(0L)).orElse(0L);
  }

  /** Keys some member may hold a copy of. */
  long heldKeys() {
    return holders.size();
  }

  private static OwnerResponse present(Stored s, long now) {
    return OwnerResponse.newBuilder().setPresent(true).setValue(bytes(s.value)).setVersion(s.version)
        .setRemainingMillis(remaining(s, now)).build();
  }

  private static long remaining(Stored s, long now) {
    return s.expiresAt == Long.MAX_VALUE ? -1 : Math.max(0, TimeUnit.NANOSECONDS.toMillis(s.expiresAt - now));
  }

  private static long deadline(long now, long ttlMillis) {
    long nanos = TimeUnit.MILLISECONDS.toNanos(ttlMillis);
    return nanos >= Long.MAX_VALUE / 4 ? Long.MAX_VALUE : now + nanos;
  }

  /** The view's bytes, without copying: views never change. */
  public static ByteString bytes(ByteView v) {
    return UnsafeByteOperations.unsafeWrap(v.asReadOnlyBuffer());
  }

  private static Event event(EventType type, ByteView key, ByteView old, ByteView value) {
    Event.Builder e = Event.newBuilder().setType(type).setKey(bytes(key));
    if (old != null) {
      e.setHasOldValue(true).setOldValue(bytes(old));
    }
    if (value != null) {
      e.setHasValue(true).setValue(bytes(value));
    }
    return e.build();
  }
}
