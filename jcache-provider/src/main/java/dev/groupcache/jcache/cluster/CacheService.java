package dev.groupcache.jcache.cluster;

import com.github.benmanes.caffeine.cache.Ticker;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.groupcache.ByteView;
import dev.groupcache.Node;
import dev.groupcache.PeerAddress;
import dev.groupcache.PeerHandler;
import dev.groupcache.jcache.configuration.Settings;
import dev.groupcache.jcache.management.CacheCounters;
import dev.groupcache.jcache.proto.EntriesPage;
import dev.groupcache.jcache.proto.Condition;
import dev.groupcache.jcache.proto.Event;
import dev.groupcache.jcache.proto.HandedEntry;
import dev.groupcache.jcache.proto.HandoverRead;
import dev.groupcache.jcache.proto.NodeRequest;
import dev.groupcache.jcache.proto.NodeResponse;
import dev.groupcache.jcache.proto.OwnerRequest;
import dev.groupcache.jcache.proto.OwnerResponse;
import dev.groupcache.jcache.proto.Read;
import dev.groupcache.jcache.proto.Write;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The JCache provider's service on one node: answers peers' requests by the operation they
 * declare, as a key's owner (one {@link OwnerStore} per cache, made on first use) or as a member
 * (clears, pages of entries, events, drops, lease renewals, listener announcements). Owners'
 * changes reach other members through {@link ChangeDelivery}; the copy leases this node grants as
 * an owner are its {@link CopyGrants}, those it holds as a reader its {@link CopyLeases}.
 */
public final class CacheService implements PeerHandler, AutoCloseable {
  public static final String NAME = "jcache";
  /** How often a member with listeners tells every other member so (owners forget after a minute). */
  static final Duration ANNOUNCE_EVERY = Duration.ofSeconds(2);
  /** How soon a registration of listeners asks again a member that did not take its announcement. */
  static final Duration ANNOUNCE_RETRY = Duration.ofMillis(50);
  /**
   * The keys and values one page of entries holds at most, beyond its first entry: pages leave
   * whole, so a page of large entries must stay well under the peer protocol's answer limit.
   */
  static final int PAGE_BYTES = 1 << 20;

  /** What a node does with a change to a cache it has, or with a clear. */
  public interface Receiver {
    /**
     * Drops any copy of the key and tells listeners; completes when synchronous listeners ran,
     * with the first one's failure as text, or null. Never completes exceptionally.
     */
    CompletableFuture<String> apply(Event event);

    /** Drops every copy this node holds. */
    void clearCopies();

    /** Drops this node's copy of a key, telling no listener: its owner changed it. */
    void dropCopy(ByteView key);

    /** Whether this node's cache has listeners, and whether some of them are synchronous. */
    Listening listening();
  }

  /** A member's listeners on a cache, as owners need to know them. */
  public enum Listening {
    NONE, ASYNCHRONOUS, SYNCHRONOUS
  }

  private final Node node;
  private final ScheduledExecutorService timer;
  private final Function<String, Settings.CacheSettings> settings;
  private final Ticker ticker;
  private final Duration invalidationTimeout;
  /**
   * Entries a tick looks at per store for expiry: a pass over a million entries takes 50 ticks
   * (25 s at the default lease), each about a millisecond.
   */
  private static final int SWEEP_BUDGET = 20_000;
  private final Map<String, OwnerStore> stores = new ConcurrentHashMap<>();
  private final Map<String, Receiver> receivers = new ConcurrentHashMap<>();
  private final Map<String, OwnerLoads> ownerLoads = new ConcurrentHashMap<>();
  private final CopyGrants grants;
  private final CopyLeases leases;
  private final ChangeDelivery delivery;
  private final Handover handover;
  private final Replication replication;
  private final Introductions introductions;
  /**
   * Changes of this node's receivers and listeners, counted from its start time so that a restarted
   * node counts on from above its earlier life: the order of its statements of them to owners.
   */
  private final AtomicLong listenerChanges = new AtomicLong(System.currentTimeMillis() << 20);
  private final OwnershipLeases ownership;
  /** The settings of each cache this node owns or backs up entries of, read once. */
  private final Map<String, Settings.CacheSettings> cacheSettings = new ConcurrentHashMap<>();
  private final RequestLimits limits;
  private final LongAdder ownerRequests = new LongAdder();
  private final Set<CacheCounters> countedCaches = ConcurrentHashMap.newKeySet();
  private final LongAdder closedCachesOwnedHits = new LongAdder();
  private final Predicate<ByteView> ownedHere;
  private final LongAdder unknownCaches = new LongAdder();
  private final LongAdder unavailableReads = new LongAdder();

  /**
   * @param settings a cache's settings by name: the owner-side budget (its main share) and how
   *     long a caller may take to load a key before another may
   * @param invalidationTimeout how long a change waits for a member's synchronous listeners
   * @param lease how long a copy lease lasts: how long a change waits at most for a holder
   */
  CacheService(Node node, ScheduledExecutorService timer, Function<String, Settings.CacheSettings> settings,
      Duration invalidationTimeout, Duration lease, Ticker ticker) {
    this.ticker = ticker;
    this.invalidationTimeout = invalidationTimeout;
    this.node = node;
    this.ownedHere = key -> node.ownerOf(key).equals(node.self());
    this.timer = timer;
    this.settings = settings;
    this.limits = new RequestLimits(node.maxKeyBytes(), node.maxValueBytes());
    this.grants = new CopyGrants(lease, ticker, node::isAvailable);
    this.leases = new CopyLeases(node, ticker, lease);
    this.delivery = new ChangeDelivery(node, timer, invalidationTimeout, lease, grants, receivers::get, ticker);
    this.introductions = new Introductions(delivery, this::listeningNow);
    this.ownership = new OwnershipLeases(OwnershipLeases.of(node), ticker, timer, lease);
    this.replication = new Replication(node, ticker, invalidationTimeout, lease.plusNanos(grants.marginNanos()),
        introductions, ownership);
    this.handover = new Handover(node, stores, HANDOFF_BATCH_TIMEOUT,
        () -> replication.backfill(stores, id -> settingsOf(id).backups()), replication);
  }

  /** How long one batch of a hand-over may take to be answered. */
  private static final Duration HANDOFF_BATCH_TIMEOUT = Duration.ofSeconds(10);

  /** The copy leases this node holds from owners. */
  CopyLeases leases() {
    return leases;
  }

  /**
   * The periodic work of copy leases and listeners: renews this node's leases, forgets holders
   * with nothing left, repeats this node's announcements of its open caches and reclaims expired
   * entries nobody read and expired backups. Runs on the node's timer every quarter of a lease.
   */
  void tick() {
    leases.renewAll();
    for (OwnerStore store : stores.values()) {
      store.sweepExpired(SWEEP_BUDGET);
    }
    replication.sweepExpired(SWEEP_BUDGET);
    grants.prune();
    long now = ticker.read();
    delivery.forgetSilent(now);
    ownership.renewAll();
    handBackToOwnersBack();
    if (keysMovedLately && now - ringChangedAt > PULL_WINDOW_NANOS) {
      keysMovedLately = false; // reads stop looking for previous owners: one volatile read each
      if (ticker.read() - ringChangedAt <= PULL_WINDOW_NANOS) {
        keysMovedLately = true; // a change came in between: it wrote its time before its flag
      }
    }
    if (now - lastAnnounced >= ANNOUNCE_EVERY.toNanos()) {
      lastAnnounced = now;
      // every open cache, not only those with listeners: an owner makes a store only for a cache
      // it heard of, and a member whose ring did not have this node yet refused the last time
      announceOpenCaches();
    }
  }

  /** Hands their entries back to the owners this node acted for that answer again. */
  private void handBackToOwnersBack() {
    replication.ownersBack().forEach(owner -> handover.handBack(owner, all -> replication.handedBack(owner, all)));
  }

  /**
   * Tells every other member of each cache open here and its listeners (none, too): owners take
   * requests only for caches a member announced, and send events to those that listen.
   */
  private void announceOpenCaches() {
    receivers.forEach((cache, receiver) -> delivery.announce(cache, listeningNow(cache)));
  }

  private long lastAnnounced = Long.MIN_VALUE / 2; // only the timer's thread

  /**
   * Tells every other member whether this node's cache has listeners, and learns whether theirs
   * have, waiting until they know: a change made anywhere after a listener was registered reaches
   * it, and changes made here reach the listeners of members that opened the cache before this
   * one. A member that does not take the announcement (it is suspected here, is starting, or does
   * not have this node on its ring yet) is asked again every {@link #ANNOUNCE_RETRY} while this
   * node has listeners, for at most the invalidation timeout in all: a member down for good delays
   * the registration of listeners by that much, and learns of them from the repeated announcements
   * when it is back.
   */
  public void listenersChanged(String cache) {
    listenerChanges.incrementAndGet();
    dev.groupcache.jcache.proto.Listening state = listeningNow(cache);
    long deadline = System.nanoTime() + invalidationTimeout.toNanos(); // a real wait, whatever the ticker
    List<PeerAddress> missed = delivery.announce(cache, state).join();
    while (state.getListening() && !missed.isEmpty() && System.nanoTime() - deadline < 0) {
      try {
        Thread.sleep(ANNOUNCE_RETRY.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return; // the announcements' repeats tell them
      }
      List<PeerAddress> members = node.peers();
      missed.retainAll(members);
      missed = missed.isEmpty() ? missed : delivery.announce(cache, state, missed).join();
    }
  }

  /**
   * This node's listeners on {@code cache} as the protocol states them, with when it read them
   * ({@code Listening.said}): the count first, then the listeners, so that no statement carries a
   * later count than the listeners it states.
   */
  private dev.groupcache.jcache.proto.Listening listeningNow(String cache) {
    long said = listenerChanges.get();
    Receiver receiver = receivers.get(cache);
    return ChangeDelivery.listening(node.self(), receiver == null ? Listening.NONE : receiver.listening(), said);
  }

  /** The store of the entries of {@code cache} this node owns. */
  OwnerStore store(String cache) {
    OwnerStore store = stores.get(cache); // every owner request comes here: no lambda for a store that exists
    return store != null ? store : stores.computeIfAbsent(cache, id -> {
      if (!receivers.containsKey(id)) { // owning keys of a cache not opened here: learn who listens to it
        delivery.announce(id, listeningNow(id));
      }
      Settings.CacheSettings s = settingsOf(id);
      long ownBytes = ownedBudget(s);
      OwnerStore made = new OwnerStore(ownBytes, s.readThroughTimeout().toMillis(),
          new OwnerStore.EventSink() {
            @Override
            public CompletableFuture<String> publish(Event event, List<PeerAddress> holders) {
              return delivery.publish(id, event, holders);
            }

            @Override
            public CompletableFuture<String> drop(ByteView key, List<PeerAddress> holders) {
              return delivery.drop(id, key, holders);
            }
          }, replication.backups(id, s.backups()), grants,
          Math.max(10_000, ownBytes / 256), timer, ticker);
      made.ringChanged(ringChangedAt); // a store made during a hand-over records its writes too
      made.loadForPeers(ownerLoads.get(id));
      return made;
    });
  }

  /** The entries of {@code cache} this node owns. */
  public long ownedEntries(String cache) {
    OwnerStore store = stores.get(cache);
    return store == null ? 0 : store.size();
  }

  /** Their weight: keys, values and per-entry overhead. */
  public long ownedBytes(String cache) {
    OwnerStore store = stores.get(cache);
    return store == null ? 0 : store.bytes();
  }

  /** This node's evictions of the entries of {@code cache}. */
  public long evictions(String cache) {
    OwnerStore store = stores.get(cache);
    return store == null ? 0 : store.evictions();
  }

  /** Registers this node's cache of that id to hear changes; one receiver per id. */
  public void receive(String cache, Receiver receiver) {
    receivers.put(cache, receiver);
    listenerChanges.incrementAndGet();
  }

  public void stopReceiving(String cache, Receiver receiver) {
    receivers.remove(cache, receiver);
    listenerChanges.incrementAndGet();
  }

  /**
   * Registers this node's read-through cache of that id to load the keys it owns that peers' gets
   * miss. Kept here for a store made later, and given to the store if there is one (under its map
   * entry's lock, so that a store being made meanwhile gets it either way).
   */
  public void loadHere(String cache, OwnerLoads loads) {
    ownerLoads.put(cache, loads);
    stores.computeIfPresent(cache, (id, store) -> {
      store.loadForPeers(loads);
      return store;
    });
  }

  /** Ends what {@link #loadHere} began: peers' misses of the cache's keys are loaded by the peers. */
  public void stopLoading(String cache, OwnerLoads loads) {
    if (ownerLoads.remove(cache, loads)) {
      stores.computeIfPresent(cache, (id, store) -> {
        store.loadForPeers(null);
        return store;
      });
    }
  }

  /** Forgets a destroyed cache's entries on this node. */
  void drop(String cache) {
    OwnerStore store = stores.remove(cache);
    if (store != null) {
      store.clear();
    }
    replication.drop(cache);
    cacheSettings.remove(cache); // a cache made again under the name reads its settings again
  }

  private Settings.CacheSettings settingsOf(String cache) {
    Settings.CacheSettings s = cacheSettings.get(cache);
    return s != null ? s : cacheSettings.computeIfAbsent(cache, c -> settings.apply(CacheIds.name(c)));
  }

  /** What a cache's owned entries may take here (its main share); its backups may take as much. */
  private static long ownedBudget(Settings.CacheSettings s) {
    return (long) (s.maxBytes() * (1 - s.hotShare()));
  }

  /**
   * Refuses a request for a cache no member has open (this node, or a member that announced it):
   * NOT_FOUND, costing nothing here.
   */
  private void requireOpenSomewhere(String cache) {
    if (!receivers.containsKey(cache) && !delivery.known(cache)) {
      unknownCaches.increment();
      throw Status.NOT_FOUND.withDescription("cache " + CacheIds.name(cache) + " is open on no member "
          + node.self() + " has heard of").asRuntimeException();
    }
  }

  /** Backup messages this node sent as an owner. */
  long backupsSent() {
    return replication.sent();
  }

  /** Backups this node keeps for other owners, of every cache. */
  long backupEntries() {
    return replication.backupEntries();
  }

  /** Their weight. */
  long backupBytes() {
    return replication.backupBytes();
  }

  /** Backups not held because their member was unavailable. */
  long backupsSkipped() {
    return replication.skipped();
  }

  /** Changes not acknowledged because a backup went unanswered while a member acted for this node. */
  long backupsUnconfirmed() {
    return replication.unconfirmed();
  }

  /** Operations answered here as the owner of an unavailable member's key. */
  long acted() {
    return replication.acted();
  }

  /** Operations as an owner that waited for its ownership leases ({@link OwnershipLeases}). */
  long ownershipWaits() {
    return ownership.waits();
  }

  /**
   * Answers an owner's operation on a key whose owner does not answer, if this node is the member
   * to act for it ({@link Replication}): its backup of the key joins its own store first, and an
   * acting write waits until the owner's copy leases are surely over.
   */
  private CompletableFuture<ByteView> acting(String cache, dev.groupcache.jcache.proto.Acting acting) {
    ByteView key = ByteView.copyOf(acting.getKey());
    OwnerRequest request = acting.getRequest();
    if (!request.getCache().equals(cache) || request.getOpCase() == OwnerRequest.OpCase.OP_NOT_SET) {
      return invalid("an acting request carries one owner operation on its own cache");
    }
    limits.checkKey(key);
    PeerAddress owner = replication.mayAct(key);
    CompletableFuture<OwnerResponse> answer;
    try {
      boolean changes = request.getOpCase() != OwnerRequest.OpCase.READ;
      if (changes && !replication.actedOn(owner, cache, key)) {
        throw Status.RESOURCE_EXHAUSTED.withDescription(node.self() + " has changed " + Replication.MAX_ACTED_KEYS
            + " keys acting for " + owner + ", which does not answer; no more until it has them back")
            .asRuntimeException();
      }
      BackupStore backups = replication.existing(cache);
      if (backups != null) {
        owned(cache).takeBackup(key, () -> backups.take(key));
      }
      long wait = changes ? replication.actingWritableIn(owner) : 0;
      answer = wait == 0 ? answer(key, request)
          : CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(wait, TimeUnit.NANOSECONDS, timer))
              .thenCompose(waited -> answer(key, request));
    } catch (RuntimeException e) {
      replication.actingDone(owner);
      throw e;
    }
    answer.whenComplete((r, failure) -> replication.actingDone(owner));
    return answer.thenApply(r -> ByteView.of(NodeResponse.newBuilder().setActed(r).build()));
  }

  /** For this node's own callers: {@link #acting} without the bytes. */
  CompletableFuture<OwnerResponse> actingHere(String cache, ByteView key, OwnerRequest request) {
    CompletableFuture<ByteView> acted;
    try {
      acted = acting(cache, dev.groupcache.jcache.proto.Acting.newBuilder().setKey(OwnerStore.bytes(key))
          .setRequest(request).build());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return acted.thenApply(reply -> {
          try {
            return NodeResponse.parseFrom(reply.asReadOnlyBuffer()).getActed();
          } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e); // this node's own bytes
          }
        });
  }

  /**
   * Drops and events a member did not confirm in time: the change went on once the member's copy
   * lease ran out, or its listeners' timeout passed.
   */
  long lateInvalidations() {
    return delivery.lateInvalidations();
  }

  /** Changes published by this node as an owner. */
  long changes() {
    return delivery.changes();
  }

  /** Drops and events sent to other members for those changes. */
  long drops() {
    return delivery.sent();
  }

  /** Of those, events sent to members whose listeners this node had not heard of. */
  long unheardEvents() {
    return delivery.unheardEvents();
  }

  /** How this node's calls tell a member that refused their cache as unknown, and ask again. */
  Introductions introductions() {
    return introductions;
  }

  /** Reads answered as misses because the key's owner was unavailable. */
  long unavailableReads() {
    return unavailableReads.sum();
  }

  /** A read was answered as a miss because the key's owner was unavailable. */
  public void unavailableRead() {
    unavailableReads.increment();
  }

  /** This node's copy leases from owners that ran out while it held copies under them. */
  long leaseExpiries() {
    return leases.expiries();
  }

  /** A request from this node itself. */
  @Override
  public CompletableFuture<ByteView> handle(ByteView key, ByteView request) {
    return handle(node.self(), key, request);
  }

  /**
   * Answers a member's request by the operation it declares: with a key, an {@link
   * OwnerRequest}; without, a {@link NodeRequest}. The two use disjoint field numbers for their
   * operations, so a request sent as the other kind (such as an owner's read without its key) has
   * no operation here and is refused with INVALID_ARGUMENT, changing nothing. Operations that are
   * one member's (an owner's event, a member's own listeners, holder or lease) are refused with
   * PERMISSION_DENIED from any other ({@link Sender}); keys and values beyond the node's limits
   * with INVALID_ARGUMENT and RESOURCE_EXHAUSTED; an owner operation on a key another member owns
   * on this node's ring with FAILED_PRECONDITION, however it was sent, so that nothing is planted
   * on a node that does not own it.
   *
   * @param sender the member that sent it, as the engine established; null only with the engine's
   *     member check off, when nothing is known of the sender and nothing is checked of it
   */
  @Override
  public CompletableFuture<ByteView> handle(PeerAddress sender, ByteView key, ByteView request) {
    try {
      boolean departed = sender != null && this.node.hasLeft(sender); // heard in its grace, to hand over
      if (key != null) {
        if (departed) {
          throw Sender.departed(sender);
        }
        OwnerRequest owner = OwnerRequest.parseFrom(request.asReadOnlyBuffer());
        if (owner.getOpCase() == OwnerRequest.OpCase.OP_NOT_SET) {
          return invalid("a request about a key must be one owner operation (read, write or loaded)");
        }
        if (!node.ownerOf(key).equals(node.self())) { // as the engine refuses a call to the owner
          throw Status.FAILED_PRECONDITION.withDescription(node.self() + " does not own this key on its ring "
              + Long.toHexString(node.ringVersion()) + "; " + node.ownerOf(key) + " does").asRuntimeException();
        }
        if (owner.getOpCase() == OwnerRequest.OpCase.READ && !owner.getRead().getHolder().isEmpty()) {
          Sender.holder(sender, owner.getRead().getHolder());
        }
        return owner(key, owner);
      }
      NodeRequest node = NodeRequest.parseFrom(request.asReadOnlyBuffer());
      if (node.getOpCase() == NodeRequest.OpCase.OP_NOT_SET) {
        return invalid("a request without a key must be one node operation (clear, entries or event)");
      }
      if (departed && node.getOpCase() != NodeRequest.OpCase.HANDOFF) {
        throw Sender.departed(sender);
      }
      return local(sender, node);
    } catch (InvalidProtocolBufferException e) {
      return invalid("malformed request: " + e.getMessage());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e); // a refusal, with its status
    }
  }

  private static CompletableFuture<ByteView> invalid(String why) {
    return CompletableFuture.failedFuture(new IllegalArgumentException(why));
  }

  /** Requests answered here as a key's owner, this node's own gets answered in process included. */
  long ownerRequests() {
    long n = ownerRequests.sum() + closedCachesOwnedHits.sum();
    for (CacheCounters c : countedCaches) {
      n += c.ownedHitsInProcess();
    }
    return n;
  }

  /**
   * A peer's request about a key this node owns. A peer's write that finds this node's ownership
   * leases lapsed is refused once they hold again rather than applied: it may have been sent before
   * this node stopped, its sender may have given up on it and had it acted on elsewhere, and the
   * entries handed back since can be newer than it. A sender that still waits asks again.
   */
  private CompletableFuture<ByteView> owner(ByteView key, OwnerRequest request) {
    if (request.getOpCase() == OwnerRequest.OpCase.WRITE && !mayAnswer(request.getCache()) && ownership.lapsed()) {
      return ownership.ready().thenApply(ready -> {
        throw refusedAfterAbsence();
      });
    }
    return answer(key, request, true).thenApply(ByteView::of);
  }

  /** The refusal of a peer's write that arrived while members may have acted for this node; see {@link #owner}. */
  private io.grpc.StatusRuntimeException refusedAfterAbsence() {
    return Status.FAILED_PRECONDITION.withDescription(node.self() + " could not tell whether members acted for it"
        + " when this write arrived (it paused, restarted or lost touch): it may be older than what they did, and is"
        + " not applied; ask again").asRuntimeException();
  }

  /**
   * Answers a request to this node as the key's owner: for a peer's request once parsed, and for
   * this node's own callers directly, with no bytes in between.
   *
   * @throws IllegalArgumentException for a key beyond the limit
   * @throws io.grpc.StatusRuntimeException RESOURCE_EXHAUSTED for a value beyond it
   */
  CompletableFuture<OwnerResponse> answer(ByteView key, OwnerRequest request) {
    return answer(key, request, false);
  }

  /** As {@link #answer(ByteView, OwnerRequest)}; {@code fromPeer}: a peer's request, whose miss this node may load. */
  private CompletableFuture<OwnerResponse> answer(ByteView key, OwnerRequest request, boolean fromPeer) {
    limits.check(key, request); // throws, as the engine's own check of a key sent to another owner does
    if (!mayAnswer(request.getCache())) {
      return ownership.ready().thenCompose(ready -> answerNow(key, request, fromPeer));
    }
    return answerNow(key, request, fromPeer);
  }

  private CompletableFuture<OwnerResponse> answerNow(ByteView key, OwnerRequest request, boolean fromPeer) {
    return switch (request.getOpCase()) {
      case READ -> readNow(request.getCache(), key, request.getRead(), fromPeer);
      case WRITE -> write(request.getCache(), key, request.getWrite());
      case LOADED -> owned(request.getCache()).loaded(key, request.getLoaded());
      default -> CompletableFuture.failedFuture(
          new UnsupportedOperationException("unknown owner operation " + request.getOpCase()));
    };
  }

  /**
   * A read of an entry this node owns: a peer's, or this node's own with no request built. A read
   * of a cache nothing was stored in here is a miss that makes no store, unless it asks for a
   * read-through lease: otherwise any name a peer sends would cost a store for good.
   */
  CompletableFuture<OwnerResponse> read(String cache, ByteView key, Read read) {
    limits.checkKey(key);
    if (!mayAnswer(cache)) {
      return ownership.ready().thenCompose(ready -> readNow(cache, key, read, false));
    }
    return readNow(cache, key, read, false);
  }

  /**
   * Whether this node may answer as the owner of keys of {@code cache} now: always without
   * backups (no member acts for another), else while its ownership leases hold.
   */
  private boolean mayAnswer(String cache) {
    OwnerStore store = stores.get(cache);
    if (store != null) {
      return !store.backedUp() || ownership.servable();
    }
    // no store yet: a restarted owner, whose acted entries come back; a name no member opened has none
    return ownership.servable() || !(receivers.containsKey(cache) || delivery.known(cache))
        || settingsOf(cache).backups() <= 0;
  }

  private CompletableFuture<OwnerResponse> readNow(String cache, ByteView key, Read read, boolean fromPeer) {
    PeerAddress previous = movedHereFrom(key);
    if (previous != null) {
      OwnerStore store = stores.get(cache);
      if (store == null || !store.has(key)) {
        return arrival(previous, cache, key).thenCompose(handed -> readHere(cache, key, read, fromPeer));
      }
    }
    return readHere(cache, key, read, fromPeer);
  }

  /**
   * Completes once the entry of a key that moved here from {@code previous} is here or will not
   * come: at once if the previous owner said it has handed over all it had; else asked of it if it
   * is still a member; if it left the ring (its own ring
   * no longer holds it and it is handing everything over), once it says it is done, within
   * {@link #DEPARTED_WAIT} of the ring change.
   */
  private CompletableFuture<Void> arrival(PeerAddress previous, String cache, ByteView key) {
    Long doneAt = handoversDone.get(previous);
    if (doneAt != null && doneAt - ringChangedAt >= -DEPARTED_WAIT.toNanos()) {
      return DONE; // it handed over all it had (its ring may have changed before this node's)
    }
    if (node.isAvailable(previous)) {
      return pull(previous, cache, key);
    }
    long waitNanos = ringChangedAt + DEPARTED_WAIT.toNanos() - ticker.read();
    if (waitNanos <= 0) {
      return DONE;
    }
    return departedHandovers.computeIfAbsent(previous, p -> new CompletableFuture<Void>()
        .completeOnTimeout(null, waitNanos, TimeUnit.NANOSECONDS));
  }

  /** {@code sender} handed over all it had of this node's keys. */
  private void handoverDone(String sender) {
    PeerAddress member;
    try {
      member = PeerAddress.parse(sender);
    } catch (IllegalArgumentException e) {
      return;
    }
    handoversDone.put(member, ticker.read());
    CompletableFuture<Void> waiting = departedHandovers.remove(member);
    if (waiting != null) {
      waiting.complete(null);
    }
  }

  /**
   * How long after a ring change a read of a key whose owner left waits for that owner's
   * hand-over, at most: a departing member gives its entries away at once, within milliseconds.
   */
  static final Duration DEPARTED_WAIT = Duration.ofSeconds(1);
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
  private final Map<PeerAddress, Long> handoversDone = new ConcurrentHashMap<>();
  private final Map<PeerAddress, CompletableFuture<Void>> departedHandovers = new ConcurrentHashMap<>();

  /**
   * A write of an entry this node owns. One that depends on the entry (a condition, the old value
   * returned) on a key that moved here lately first fetches its entry if the hand-over has not
   * brought it, as a read does; a write that does not is simply newer than the entry on its way.
   */
  private CompletableFuture<OwnerResponse> write(String cache, ByteView key, Write write) {
    if (write.getCondition() != Condition.ANY || write.getReturnOld()) {
      PeerAddress previous = movedHereFrom(key);
      if (previous != null && !store(cache).has(key)) {
        return arrival(previous, cache, key).thenCompose(pulled -> owned(cache).write(key, write));
      }
    }
    return owned(cache).write(key, write);
  }

  /**
   * The member that owned {@code key} before the last ring change moved it here, if that was
   * lately (within {@link #PULL_WINDOW}); else null.
   */
  private PeerAddress movedHereFrom(ByteView key) {
    if (!keysMovedLately) {
      return null; // the usual case, on every owned read: one volatile read
    }
    PeerAddress previous = node.previousOwnerOf(key, PULL_WINDOW_NANOS); // its own clock check
    return previous == null || previous.equals(node.self()) || !node.ownerOf(key).equals(node.self()) ? null : previous;
  }

  /** How long after a ring change a miss here asks the key's previous owner for its entry. */
  static final Duration PULL_WINDOW = Duration.ofSeconds(30);
  private static final long PULL_WINDOW_NANOS = PULL_WINDOW.toNanos();
  /** Whether the ring changed within {@link #PULL_WINDOW}, as the timer last saw it (errs on true). */
  private volatile boolean keysMovedLately;
  private static final Duration PULL_TIMEOUT = Duration.ofSeconds(2);
  private volatile long ringChangedAt = Long.MIN_VALUE / 2;

  /**
   * Asks the key's previous owner for its entry, which the hand-over has not brought yet, and
   * keeps it; completes (never exceptionally) once it is kept or there is none.
   */
  private CompletableFuture<Void> pull(PeerAddress previous, String cache, ByteView key) {
    ByteView request = ByteView.of(NodeRequest.newBuilder().setCache(cache)
        .setHandoverRead(HandoverRead.newBuilder().setKey(OwnerStore.bytes(key))).build());
    return node.call(previous, NAME, request, PULL_TIMEOUT).handle((reply, failure) -> {
      if (failure != null) {
        return null; // a miss here then: loaded or absent, as without a previous owner
      }
      try {
        NodeResponse response = NodeResponse.parseFrom(reply.asReadOnlyBuffer());
        if (response.hasHanded() && node.ownerOf(key).equals(node.self())) {
          HandedEntry e = response.getHanded();
          store(cache).adopt(key, ByteView.copyOf(e.getValue()), e.getVersion(), e.getRemainingMillis());
          pulled.increment();
        }
      } catch (InvalidProtocolBufferException e) {
        // an unreadable answer is no entry
      }
      return null;
    });
  }

  private final LongAdder pulled = new LongAdder();

  /** Entries fetched from their previous owner by a read that came before the hand-over. */
  long pulled() {
    return pulled.sum();
  }

  /**
   * The value of a live entry this node holds and owns, for this node's own plain read: no request,
   * no answer built. Null if there is none here (absent, due to expire, not owned here, or not
   * arrived from the key's previous owner yet): {@link #read} decides those.
   */
  ByteView liveValue(String cache, ByteView key) {
    OwnerStore store = stores.get(cache);
    return store == null || (store.backedUp() && !ownership.servable()) ? null : store.liveValue(key, ownedHere);
  }

  /**
   * Counts the gets a cache's {@link #liveValue} answered as owner requests answered here: the
   * cache counts them once, not once more on this node. Until {@link #stopCounting}.
   */
  void countOwnedHits(CacheCounters counters) {
    countedCaches.add(counters);
  }

  /** A closed cache's counts stay in the owner requests: its own counters go. */
  void stopCounting(CacheCounters counters) {
    if (countedCaches.remove(counters)) {
      closedCachesOwnedHits.add(counters.ownedHitsInProcess());
    }
  }

  /**
   * A read of an owned entry. A peer's read-through miss is loaded here when this node has the cache
   * open with its loader: the peer then waits for the value, one round trip, instead of taking a
   * lease, loading and reporting, two. This node's own gets load on their own thread, as before.
   */
  private CompletableFuture<OwnerResponse> readHere(String cache, ByteView key, Read read, boolean fromPeer) {
    if (read.getLease()) {
      return owned(cache).read(key, read, fromPeer);
    }
    ownerRequests.increment();
    OwnerStore store = stores.get(cache); // one lookup for the usual read of a store that exists
    return store == null ? ABSENT : store.read(key, read);
  }

  private static final CompletableFuture<OwnerResponse> ABSENT =
      CompletableFuture.completedFuture(OwnerResponse.getDefaultInstance());

  /** Caches this node keeps owned entries of, for tests. */
  int stores() {
    return stores.size();
  }

  /**
   * The store that answers one request made to this node as an owner, counted. A store is made
   * only for a cache some member has open: this node, or a member that announced it (every member
   * announces each cache it opens, and repeats it); any other name is NOT_FOUND and costs nothing.
   */
  private OwnerStore owned(String cache) {
    ownerRequests.increment();
    OwnerStore store = stores.get(cache);
    if (store != null) {
      return store;
    }
    requireOpenSomewhere(cache);
    return store(cache);
  }

  /** Owner requests refused because no member has their cache open. */
  long unknownCaches() {
    return unknownCaches.sum();
  }

  private CompletableFuture<ByteView> local(PeerAddress sender, NodeRequest request) {
    String cache = request.getCache();
    limits.check(request);
    switch (request.getOpCase()) {
      case CLEAR -> {
        clearHere(cache);
        return done(NodeResponse.getDefaultInstance());
      }
      case ENTRIES -> {
        ByteView after = request.getEntries().getAfter().isEmpty() ? null
            : ByteView.copyOf(request.getEntries().getAfter());
        OwnerStore store = stores.get(cache);
        EntriesPage page = store == null ? EntriesPage.getDefaultInstance()
            : store.page(after, Math.max(1, Math.min(10_000, request.getEntries().getLimit())), PAGE_BYTES);
        return done(NodeResponse.newBuilder().setPage(page).build());
      }
      case EVENT -> {
        Sender.owner(sender, node, ByteView.copyOf(request.getEvent().getKey()));
        Receiver receiver = receivers.get(cache);
        // the answer says whether this node listens: an owner that had not heard it learns it here
        if (receiver == null) {
          return done(NodeResponse.newBuilder().setListening(listeningNow(cache)).build());
        }
        return receiver.apply(request.getEvent()).thenApply(failure -> ByteView.of(NodeResponse.newBuilder()
            .setListenerFailure(failure == null ? "" : failure)
            .setListening(listeningNow(cache)).build()));
      }
      case DROP -> {
        Receiver receiver = receivers.get(cache);
        if (receiver != null) {
          receiver.dropCopy(ByteView.copyOf(request.getDrop().getKey()));
        }
        return done(NodeResponse.getDefaultInstance());
      }
      case RENEW -> {
        Sender.holder(sender, request.getRenew().getHolder());
        PeerAddress holder = grants.holder(request.getRenew().getHolder());
        return done(NodeResponse.newBuilder()
            .setCopyLeaseMillis(TimeUnit.NANOSECONDS.toMillis(grants.grant(holder)))
            .setOwnerIncarnation(grants.incarnation()).build());
      }
      case HANDOFF -> {
        if (request.getHandoff().getLast()) {
          Sender.member(sender, request.getHandoff().getSender());
        }
        return adopt(cache, request.getHandoff()).thenApply(ByteView::of);
      }
      case BACKUP -> {
        requireOpenSomewhere(cache);
        boolean kept = replication.keep(sender, cache, ownedBudget(settingsOf(cache)), request.getBackup());
        return done(kept ? NodeResponse.getDefaultInstance() : NodeResponse.newBuilder().setFenced(true).build());
      }
      case ACTING -> {
        return acting(cache, request.getActing());
      }
      case WRITES -> {
        return writes(cache, request.getWrites());
      }
      case OWNERSHIP -> {
        Sender.member(sender, request.getOwnership().getMember());
        PeerAddress owner = PeerAddress.parse(request.getOwnership().getMember());
        boolean acting = replication.isActingFor(owner);
        if (acting) {
          handBackToOwnersBack(); // it answers again: its entries go back now rather than at the next tick
        }
        return done(acting ? NodeResponse.newBuilder().setFenced(true).build() : NodeResponse.getDefaultInstance());
      }
      case HANDOVER_READ -> {
        ByteView key = ByteView.copyOf(request.getHandoverRead().getKey());
        OwnerStore store = stores.get(cache);
        // answered even while this node's ring still names it the owner: the asker's ring is ahead
        HandedEntry handed = store == null ? null : store.handedEntry(key);
        return done(handed == null ? NodeResponse.getDefaultInstance()
            : NodeResponse.newBuilder().setHanded(handed).build());
      }
      case LISTENING -> {
        Sender.member(sender, request.getListening().getMember());
        if (!delivery.heard(cache, request.getListening())) { // so that a member with listeners asks again
          throw Status.FAILED_PRECONDITION.withDescription(request.getListening().getMember()
              + " is not on " + node.self() + "'s ring " + Long.toHexString(node.ringVersion()) + " yet")
              .asRuntimeException();
        }
        return done(NodeResponse.newBuilder()
            .setListening(listeningNow(cache)).build());
      }
      default -> {
        return CompletableFuture.failedFuture(
            new UnsupportedOperationException("unknown node operation " + request.getOpCase()));
      }
    }
  }

  /** A peer's writes of many keys ({@link WriteBatch}): the answers in order, and the keys not owned here. */
  private CompletableFuture<ByteView> writes(String cache, dev.groupcache.jcache.proto.Writes writes) {
    if (writes.getKeysCount() != writes.getWritesCount() || writes.getKeysCount() > MAX_BATCH_WRITES) {
      return invalid("a batch of writes pairs each of at most " + MAX_BATCH_WRITES + " keys with its write");
    }
    if (!mayAnswer(cache) && ownership.lapsed()) { // refused as a single write (see owner): each key sent again alone
      return ownership.ready().thenApply(ready -> {
        NodeResponse.Builder refused = NodeResponse.newBuilder();
        for (int i = 0; i < writes.getKeysCount(); i++) {
          refused.addNotOwnedAt(i).addWritten(OwnerResponse.getDefaultInstance());
        }
        return ByteView.of(refused.build());
      });
    }
    List<ByteView> keys = new ArrayList<>(writes.getKeysCount());
    writes.getKeysList().forEach(k -> keys.add(ByteView.copyOf(k)));
    return writeAll(cache, keys, writes.getWritesList()).thenCompose(answers -> CompletableFuture
        .allOf(answers.stream().filter(java.util.Objects::nonNull).toArray(CompletableFuture[]::new))
        .thenApply(all -> {
          NodeResponse.Builder response = NodeResponse.newBuilder();
          for (int i = 0; i < answers.size(); i++) {
            CompletableFuture<OwnerResponse> a = answers.get(i);
            if (a == null) {
              response.addNotOwnedAt(i).addWritten(OwnerResponse.getDefaultInstance());
            } else {
              response.addWritten(a.join());
            }
          }
          return ByteView.of(response.build());
        }));
  }

  /** Writes one batch carries at most: a few times what a caller sends ({@link WriteBatch#MAX_KEYS}). */
  static final int MAX_BATCH_WRITES = 4 * WriteBatch.MAX_KEYS;

  /**
   * Writes many keys of {@code cache} as their owner, their backups sent together ({@link
   * Replication#batching}): each answer in order, null for a key another member owns on this
   * node's ring, which its sender writes again on its own.
   */
  CompletableFuture<List<CompletableFuture<OwnerResponse>>> writeAll(String cache, List<ByteView> keys,
      List<Write> writes) {
    if (mayAnswer(cache)) {
      return CompletableFuture.completedFuture(writeAllNow(cache, keys, writes));
    }
    return ownership.ready().thenApply(ready -> writeAllNow(cache, keys, writes)); // the batch waits once, as one
  }

  private List<CompletableFuture<OwnerResponse>> writeAllNow(String cache, List<ByteView> keys, List<Write> writes) {
    return replication.batching(cache, () -> {
      List<CompletableFuture<OwnerResponse>> answers = new ArrayList<>(keys.size());
      for (int i = 0; i < keys.size(); i++) {
        ByteView key = keys.get(i);
        if (!node.ownerOf(key).equals(node.self())) {
          answers.add(null);
          continue;
        }
        try {
          answers.add(answer(key, OwnerRequest.newBuilder().setCache(cache).setWrite(writes.get(i)).build()));
        } catch (RuntimeException e) {
          answers.add(CompletableFuture.failedFuture(e));
        }
      }
      return answers;
    });
  }

  /**
   * Keeps the handed entries whose keys this node owns; the answer names the others, which their
   * sender offers again once this node's ring agrees.
   */
  private CompletableFuture<NodeResponse> adopt(String cache, dev.groupcache.jcache.proto.Handoff handoff) {
    if (handoff.getLast()) {
      handoverDone(handoff.getSender());
      return CompletableFuture.completedFuture(NodeResponse.getDefaultInstance());
    }
    if (handoff.getReplace()) {
      ownership.handedBack(); // before any entry is taken: see Replication.unanswered
    }
    NodeResponse.Builder answer = NodeResponse.newBuilder();
    OwnerStore store = null;
    List<CompletableFuture<Void>> backedUp = new ArrayList<>();
    for (HandedEntry e : handoff.getEntriesList()) {
      ByteView key = ByteView.copyOf(e.getKey());
      if (!node.ownerOf(key).equals(node.self())) {
        answer.addNotOwned(e.getKey());
        continue;
      }
      if (store == null) {
        store = store(cache);
      }
      CompletableFuture<String> dropped = e.getRemoved() && handoff.getReplace() ? store.removeActedOn(key)
          : store.adopting(key, ByteView.copyOf(e.getValue()), e.getVersion(), e.getRemainingMillis(), handoff.getReplace());
      if (dropped != null) {
        // the sender forgets it once answered: two copies first, and no copy of what it replaced
        backedUp.add(store.backUp(key).thenCombine(dropped, (held, none) -> null));
      }
    }
    return CompletableFuture.allOf(backedUp.toArray(CompletableFuture[]::new)).thenApply(held -> answer.build());
  }

  /**
   * Waits until the entries this node no longer owns are handed over, or {@code timeout} passed:
   * a leaving node gives its entries away before it stops. Whether the hand-over is done.
   */
  public boolean awaitHandoff(Duration timeout) throws InterruptedException {
    return handover.awaitIdle(timeout);
  }

  /** Entries this node handed to their new owners. */
  long handedOff() {
    return handover.handed();
  }

  /** Stops handing entries over. */
  @Override
  public void close() {
    handover.close();
    replication.close();
  }

  /**
   * Loads waited on here for keys that moved away are asked again of their new owners, and the
   * entries of those keys go to them.
   */
  @Override
  public void ringChanged() {
    long now = ticker.read();
    ringChangedAt = now;
    keysMovedLately = true;
    departedHandovers.values().forEach(waiting -> waiting.complete(null)); // waiters of an older change
    departedHandovers.clear();
    handoversDone.values().removeIf(at -> now - at > PULL_WINDOW_NANOS);
    stores.values().forEach(store -> store.ringChanged(now));
    stores.values().forEach(store -> store.releaseMoved(ownedHere));
    takeOwnedBackups();
    handover.ringChanged();
    delivery.retain(node.peers());
    // new members learn of this node's listeners, and this node of theirs
    announceOpenCaches();
  }

  /**
   * Backups of keys this node now owns (their owner left the ring) join its own stores, where they
   * will be asked for; backups of keys this node no longer backs up are dropped (their owners send
   * them to their new backups after their hand-over).
   */
  private void takeOwnedBackups() {
    replication.caches().forEach(cache -> {
      BackupStore backups = replication.existing(cache);
      int count = settingsOf(cache).backups();
      backups.sort(key -> node.ownerOf(key).equals(node.self()),
          key -> node.replicasOf(key, count + 1).contains(node.self()),
          (key, e) -> store(cache).adopt(key, ByteView.copyOf(e.getValue()), e.getVersion(), e.getRemainingMillis()));
    });
  }

  /**
   * A member that could not be reached answers again: it may have missed this node's listener
   * announcements (members that start together announce before their peers listen), so they go
   * out again now rather than at the next repeat; it may have restarted, so its own listeners
   * are unheard until it answers; and it missed the backups of this node's changes made meanwhile,
   * which go to it now.
   */
  @Override
  public void peerBack(PeerAddress peer) {
    delivery.unhear(peer);
    announceOpenCaches();
    replication.refill(peer, stores, id -> settingsOf(id).backups());
  }

  /** Drops this node's owned entries, backups and copies of {@code cache}, without events. */
  void clearHere(String cache) {
    OwnerStore store = stores.get(cache);
    if (store != null) {
      store.clear();
    }
    BackupStore backups = replication.existing(cache);
    if (backups != null) {
      backups.clear(); // or an owner's death after a clear would bring its entries back
    }
    Receiver receiver = receivers.get(cache);
    if (receiver != null) {
      receiver.clearCopies();
    }
  }

  private static CompletableFuture<ByteView> done(NodeResponse response) {
    return CompletableFuture.completedFuture(ByteView.of(response));
  }
}
