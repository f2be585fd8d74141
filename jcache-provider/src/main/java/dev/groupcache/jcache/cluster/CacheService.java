package dev.groupcache.jcache.cluster;

import com.github.benmanes.caffeine.cache.Ticker;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.groupcache.ByteView;
import dev.groupcache.Node;
import dev.groupcache.PeerAddress;
import dev.groupcache.PeerHandler;
import dev.groupcache.PeerReply;
import dev.groupcache.jcache.configuration.Settings;
import dev.groupcache.jcache.proto.Drop;
import dev.groupcache.jcache.proto.EntriesPage;
import dev.groupcache.jcache.proto.Event;
import dev.groupcache.jcache.proto.NodeRequest;
import dev.groupcache.jcache.proto.NodeResponse;
import dev.groupcache.jcache.proto.OwnerRequest;
import dev.groupcache.jcache.proto.OwnerResponse;
import dev.groupcache.jcache.proto.Read;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * The JCache provider's service on one node: the entries it owns, one {@link OwnerStore} per
 * cache, made on first use; the delivery of owners' changes to the members that need to hear of
 * them; and the copy leases this node grants as an owner and holds as a reader.
 *
 * <p>A change at an owner goes to two kinds of member, and to no one else: those that hold a copy
 * of the key (the owner's directory, {@link CopyHolders}), which drop it; and those with listeners
 * on the cache ({@link ListeningMembers}), which drop any copy and tell their listeners. Both are
 * enqueued before the owner lets go of the key, so each member sees one key's changes in order. The
 * owner answers the change once every holder has confirmed the drop or its copy lease has run out
 * ({@link CopyGrants}), and every member with synchronous listeners has run them, or the
 * invalidation timeout passed, or it is suspected; members with only asynchronous listeners are
 * not waited for. A change nobody holds or listens to costs nothing beyond the owner.
 */
public final class CacheService implements PeerHandler {
  public static final String NAME = "jcache";
  /** How often a member with listeners tells every other member so (owners forget after a minute). */
  static final Duration ANNOUNCE_EVERY = Duration.ofSeconds(2);
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
  private final Duration invalidationTimeout;
  private final Ticker ticker;
  private final Map<String, OwnerStore> stores = new ConcurrentHashMap<>();
  private final Map<String, Receiver> receivers = new ConcurrentHashMap<>();
  private final Map<String, ListeningMembers> listening = new ConcurrentHashMap<>();
  private final CopyGrants grants;
  private final CopyLeases leases;
  private final LongAdder lateInvalidations = new LongAdder();
  private final LongAdder ownerRequests = new LongAdder();
  private final LongAdder changes = new LongAdder();
  private final LongAdder drops = new LongAdder();
  private final LongAdder unavailableReads = new LongAdder();
  /** How long a drop may wait for its holder's answer: until its lease has surely run out. */
  private final Duration dropTimeout;
  /** Whether this run's first lease has passed (see {@link CopyGrants#writableAt()}); only ever set. */
  private volatile boolean writable;

  /**
   * @param settings a cache's settings by name: the owner-side budget (its main share) and how
   *     long a caller may take to load a key before another may
   * @param invalidationTimeout how long a change waits for a member's synchronous listeners
   * @param lease how long a copy lease lasts: how long a change waits at most for a holder
   */
  CacheService(Node node, ScheduledExecutorService timer, Function<String, Settings.CacheSettings> settings,
      Duration invalidationTimeout, Duration lease, Ticker ticker) {
    this.ticker = ticker;
    this.node = node;
    this.timer = timer;
    this.settings = settings;
    this.invalidationTimeout = invalidationTimeout;
    this.grants = new CopyGrants(lease, ticker, node::isAvailable);
    this.dropTimeout = lease.plusNanos(grants.marginNanos());
    this.leases = new CopyLeases(node, ticker, lease);
  }

  /** The copy leases this node holds from owners. */
  CopyLeases leases() {
    return leases;
  }

  /**
   * The periodic work of copy leases and listeners: renews this node's leases, forgets holders
   * with nothing left, and repeats this node's listener announcements. Runs on the node's timer
   * every quarter of a lease.
   */
  void tick() {
    leases.renewAll();
    grants.prune();
    long now = ticker.read();
    listening.values().forEach(l -> l.forget(now));
    if (now - lastAnnounced >= ANNOUNCE_EVERY.toNanos()) {
      lastAnnounced = now;
      receivers.forEach((cache, receiver) -> {
        if (receiver.listening() != Listening.NONE) {
          announce(cache, receiver.listening());
        }
      });
    }
  }

  private long lastAnnounced = Long.MIN_VALUE / 2; // only the timer's thread

  /**
   * Tells every other member whether this node's cache has listeners, and learns whether theirs
   * have, waiting (within the invalidation timeout) until they know: a change made anywhere after
   * a listener was registered reaches it, and changes made here reach the listeners of members
   * that opened the cache before this one.
   */
  public void listenersChanged(String cache) {
    announce(cache, listeningHere(cache)).join();
  }

  private Listening listeningHere(String cache) {
    Receiver receiver = receivers.get(cache);
    return receiver == null ? Listening.NONE : receiver.listening();
  }

  private CompletableFuture<Void> announce(String cache, Listening state) {
    ByteView message = ByteView.of(NodeRequest.newBuilder().setCache(cache)
        .setListening(listening(node.self(), state)).build());
    return node.broadcast(NAME, message, invalidationTimeout).thenAccept(replies -> {
      for (PeerReply reply : replies) {
        if (reply.succeeded()) {
          try {
            heard(cache, NodeResponse.parseFrom(reply.value().asReadOnlyBuffer()).getListening());
          } catch (InvalidProtocolBufferException e) {
            // an unreadable answer: its listeners are learned from its own announcements
          }
        }
      }
    });
  }

  private static dev.groupcache.jcache.proto.Listening listening(PeerAddress member, Listening state) {
    return dev.groupcache.jcache.proto.Listening.newBuilder().setMember(member.toString())
        .setListening(state != Listening.NONE).setSynchronous(state == Listening.SYNCHRONOUS).build();
  }

  /** A member's announcement of its listeners on a cache, or its answer to this node's. */
  private void heard(String cache, dev.groupcache.jcache.proto.Listening l) {
    if (l.getMember().isEmpty()) {
      return;
    }
    PeerAddress member = PeerAddress.parse(l.getMember());
    if (!member.equals(node.self()) && node.peers().contains(member)) { // owners send only to members
      listening.computeIfAbsent(cache, c -> new ListeningMembers())
          .heard(member, l.getListening(), l.getSynchronous(), ticker.read());
    }
  }

  /** The store of the entries of {@code cache} this node owns. */
  OwnerStore store(String cache) {
    OwnerStore store = stores.get(cache); // every owner request comes here: no lambda for a store that exists
    return store != null ? store : stores.computeIfAbsent(cache, id -> {
      if (!receivers.containsKey(id)) {
        announce(id, Listening.NONE); // owning keys of a cache not opened here: learn who listens to it
      }
      Settings.CacheSettings s = settings.apply(CacheIds.name(id));
      long ownBytes = (long) (s.maxBytes() * (1 - s.hotShare()));
      return new OwnerStore(ownBytes, s.readThroughTimeout().toMillis(), (event, holders) -> publish(id, event, holders),
          grants, Math.max(10_000, ownBytes / 256), timer, ticker);
    });
  }

  /** This node's evictions of the entries of {@code cache}. */
  public long evictions(String cache) {
    OwnerStore store = stores.get(cache);
    return store == null ? 0 : store.evictions();
  }

  /** Registers this node's cache of that id to hear changes; one receiver per id. */
  public void receive(String cache, Receiver receiver) {
    receivers.put(cache, receiver);
  }

  public void stopReceiving(String cache, Receiver receiver) {
    receivers.remove(cache, receiver);
  }

  /** Forgets a destroyed cache's entries on this node. */
  void drop(String cache) {
    OwnerStore store = stores.remove(cache);
    if (store != null) {
      store.clear();
    }
  }

  /**
   * Drops and events a member did not confirm in time: the change went on once the member's copy
   * lease ran out, or its listeners' timeout passed.
   */
  long lateInvalidations() {
    return lateInvalidations.sum();
  }

  /** Changes published by this node as an owner. */
  long changes() {
    return changes.sum();
  }

  /** Drops and events sent to other members for those changes. */
  long drops() {
    return drops.sum();
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

  /**
   * Answers a peer's request by the operation it declares: with a key, an {@link OwnerRequest};
   * without, a {@link NodeRequest}. The two use disjoint field numbers for their operations, so a
   * request sent as the other kind (such as an owner's read without its key) has no operation
   * here and is refused with INVALID_ARGUMENT, changing nothing.
   */
  @Override
  public CompletableFuture<ByteView> handle(ByteView key, ByteView request) {
    try {
      if (key != null) {
        OwnerRequest owner = OwnerRequest.parseFrom(request.asReadOnlyBuffer());
        if (owner.getOpCase() == OwnerRequest.OpCase.OP_NOT_SET) {
          return invalid("a request about a key must be one owner operation (read, write or loaded)");
        }
        return owner(key, owner);
      }
      NodeRequest node = NodeRequest.parseFrom(request.asReadOnlyBuffer());
      if (node.getOpCase() == NodeRequest.OpCase.OP_NOT_SET) {
        return invalid("a request without a key must be one node operation (clear, entries or event)");
      }
      return local(node);
    } catch (InvalidProtocolBufferException e) {
      return invalid("malformed request: " + e.getMessage());
    }
  }

  private static CompletableFuture<ByteView> invalid(String why) {
    return CompletableFuture.failedFuture(new IllegalArgumentException(why));
  }

  /** Requests answered here as a key's owner. */
  long ownerRequests() {
    return ownerRequests.sum();
  }

  private CompletableFuture<ByteView> owner(ByteView key, OwnerRequest request) {
    return answer(key, request).thenApply(ByteView::of);
  }

  /**
   * Answers a request to this node as the key's owner: for a peer's request once parsed, and for
   * this node's own callers directly, with no bytes in between.
   */
  CompletableFuture<OwnerResponse> answer(ByteView key, OwnerRequest request) {
    return switch (request.getOpCase()) {
      case READ -> read(request.getCache(), key, request.getRead());
      case WRITE -> owned(request.getCache()).write(key, request.getWrite());
      case LOADED -> owned(request.getCache()).loaded(key, request.getLoaded());
      default -> CompletableFuture.failedFuture(
          new UnsupportedOperationException("unknown owner operation " + request.getOpCase()));
    };
  }

  /** A read of an entry this node owns: a peer's, or this node's own with no request built. */
  CompletableFuture<OwnerResponse> read(String cache, ByteView key, Read read) {
    return owned(cache).read(key, read);
  }

  /** The store that answers one request made to this node as an owner, counted. */
  private OwnerStore owned(String cache) {
    ownerRequests.increment();
    return store(cache);
  }

  private CompletableFuture<ByteView> local(NodeRequest request) {
    String cache = request.getCache();
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
        Receiver receiver = receivers.get(cache);
        if (receiver == null) {
          return done(NodeResponse.getDefaultInstance());
        }
        return receiver.apply(request.getEvent()).thenApply(failure -> ByteView.of(
            NodeResponse.newBuilder().setListenerFailure(failure == null ? "" : failure).build()));
      }
      case DROP -> {
        Receiver receiver = receivers.get(cache);
        if (receiver != null) {
          receiver.dropCopy(ByteView.copyOf(request.getDrop().getKey()));
        }
        return done(NodeResponse.getDefaultInstance());
      }
      case RENEW -> {
        PeerAddress holder = grants.holder(request.getRenew().getHolder());
        return done(NodeResponse.newBuilder()
            .setCopyLeaseMillis(TimeUnit.NANOSECONDS.toMillis(grants.grant(holder)))
            .setOwnerIncarnation(grants.incarnation()).build());
      }
      case LISTENING -> {
        heard(cache, request.getListening());
        return done(NodeResponse.newBuilder().setListening(listening(node.self(), listeningHere(cache))).build());
      }
      default -> {
        return CompletableFuture.failedFuture(
            new UnsupportedOperationException("unknown node operation " + request.getOpCase()));
      }
    }
  }

  /** Loads waited on here for keys that moved away are asked again of their new owners. */
  @Override
  public void ringChanged() {
    stores.values().forEach(store -> store.releaseMoved(key -> node.ownerOf(key).equals(node.self())));
    List<PeerAddress> members = node.peers();
    listening.values().forEach(l -> l.retain(members));
    // new members learn of this node's listeners, and this node of theirs
    receivers.forEach((cache, receiver) -> announce(cache, receiver.listening()));
  }

  /** Drops this node's owned entries and copies of {@code cache}, without events. */
  void clearHere(String cache) {
    OwnerStore store = stores.get(cache);
    if (store != null) {
      store.clear();
    }
    Receiver receiver = receivers.get(cache);
    if (receiver != null) {
      receiver.clearCopies();
    }
  }

  /**
   * Publishes an owner's change here, to the members with listeners on the cache and to the
   * holders of the key's copies, in the order of calls; completes when each has confirmed, or its
   * copy lease ran out, or (listeners) it timed out; with the first synchronous listener's failure.
   */
  private CompletableFuture<String> publish(String cache, Event event, List<PeerAddress> holders) {
    changes.increment();
    Receiver receiver = receivers.get(cache);
    CompletableFuture<String> here = receiver == null ? DONE : receiver.apply(event);
    ListeningMembers listeners = listening.get(cache);
    Collection<ListeningMembers.Listener> heard = listeners == null ? List.of() : listeners.current();
    if (!writable) {
      writable = ticker.read() - grants.writableAt() >= 0;
    }
    boolean starting = !writable;
    if (heard.isEmpty() && holders.isEmpty() && !starting) {
      return here; // the usual write: nobody else holds the key or listens, so nobody is told
    }
    List<CompletableFuture<String>> waits = new ArrayList<>();
    waits.add(here);
    ByteView eventMessage = null;
    Set<PeerAddress> told = heard.isEmpty() ? Set.of() : new HashSet<>();
    for (ListeningMembers.Listener l : heard) {
      if (l.member().equals(node.self()) || !told.add(l.member())) {
        continue;
      }
      if (eventMessage == null) {
        eventMessage = ByteView.of(NodeRequest.newBuilder().setCache(cache).setEvent(event).build());
      }
      drops.increment();
      boolean holds = holders.contains(l.member());
      long bound = holds ? grants.sending(l.member()) : 0;
      CompletableFuture<ByteView> sent = node.call(l.member(), NAME, eventMessage, invalidationTimeout);
      if (holds) {
        waits.add(held(l.member(), sent, bound));
      } else if (l.synchronous() && node.isAvailable(l.member())) {
        waits.add(sent.handle((reply, failure) -> {
          if (failure != null) {
            late();
            return null;
          }
          return listenerFailure(reply);
        }));
      } else {
        sent.whenComplete((reply, failure) -> {
          if (failure != null) {
            late();
          }
        });
      }
    }
    ByteView dropMessage = null;
    for (PeerAddress holder : holders) {
      if (holder.equals(node.self()) || told.contains(holder)) {
        continue; // its event drops the copy too
      }
      if (dropMessage == null) {
        dropMessage = ByteView.of(NodeRequest.newBuilder().setCache(cache)
            .setDrop(Drop.newBuilder().setKey(event.getKey())).build());
      }
      drops.increment();
      long bound = grants.sending(holder);
      waits.add(held(holder, node.call(holder, NAME, dropMessage, dropTimeout), bound));
    }
    long hold = grants.writableAt() - ticker.read();
    if (starting && hold > 0 && node.peers().size() > 1) {
      waits.add(CompletableFuture.supplyAsync(() -> null,
          CompletableFuture.delayedExecutor(hold, TimeUnit.NANOSECONDS, timer)));
    }
    return firstFailure(waits);
  }

  /**
   * A drop (or event) sent to a holder of the key's copy: done when the holder confirms, or when its
   * copy lease has run out at {@code bound}, whichever comes first.
   */
  private CompletableFuture<String> held(PeerAddress holder, CompletableFuture<ByteView> sent, long bound) {
    CompletableFuture<String> done = new CompletableFuture<>();
    sent.whenComplete((reply, failure) -> {
      if (failure == null) {
        grants.confirmed(holder);
        done.complete(listenerFailure(reply));
      } else {
        grants.unconfirmed(holder, bound);
      }
    });
    long wait = bound - ticker.read();
    if (wait <= 0) {
      if (done.complete(null)) {
        late(); // its lease has run out already: nothing to wait for
      }
      return done;
    }
    ScheduledFuture<?> expiry = timer.schedule(() -> {
      if (done.complete(null)) {
        late();
      }
    }, wait, TimeUnit.NANOSECONDS);
    done.whenComplete((r, e) -> expiry.cancel(false));
    return done;
  }

  /** A member did not confirm a change in time: counted; peers' changes of state are logged by the engine. */
  private void late() {
    lateInvalidations.increment();
  }

  private static final CompletableFuture<String> DONE = CompletableFuture.completedFuture(null);

  /** All of them, done: the first failure text any of them completed with, or null. */
  private static CompletableFuture<String> firstFailure(List<CompletableFuture<String>> waits) {
    if (waits.size() == 1) {
      return waits.get(0);
    }
    return CompletableFuture.allOf(waits.toArray(new CompletableFuture<?>[0])).thenApply(done -> {
      for (CompletableFuture<String> w : waits) {
        String failure = w.join();
        if (failure != null) {
          return failure;
        }
      }
      return null;
    });
  }

  private static String listenerFailure(ByteView reply) {
    try {
      String f = NodeResponse.parseFrom(reply.asReadOnlyBuffer()).getListenerFailure();
      return f.isEmpty() ? null : f;
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }

  private static CompletableFuture<ByteView> done(NodeResponse response) {
    return CompletableFuture.completedFuture(ByteView.of(response));
  }
}
