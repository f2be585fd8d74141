package dev.groupcache.jcache.cluster;

import com.github.benmanes.caffeine.cache.Ticker;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.groupcache.ByteView;
import dev.groupcache.Node;
import dev.groupcache.PeerHandler;
import dev.groupcache.PeerReply;
import dev.groupcache.jcache.configuration.Settings;
import dev.groupcache.jcache.proto.EntriesPage;
import dev.groupcache.jcache.proto.Event;
import dev.groupcache.jcache.proto.NodeRequest;
import dev.groupcache.jcache.proto.NodeResponse;
import dev.groupcache.jcache.proto.OwnerRequest;
import dev.groupcache.jcache.proto.OwnerResponse;
import dev.groupcache.jcache.proto.Read;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * The JCache provider's service on one node: the entries it owns, one {@link OwnerStore} per
 * cache, made on first use; and the delivery of other owners' changes to this node's caches.
 *
 * <p>A change at an owner is published to every other member and to this node's own receiver,
 * both enqueued before the owner lets go of the key, so each node sees one key's changes in order.
 * The owner answers the change once all have applied it or {@code invalidationTimeout} passed. A
 * member that does not answer in time keeps its copy at most for the near-copy lifetime; that is
 * the documented fallback, logged and counted.
 */
public final class CacheService implements PeerHandler {
  public static final String NAME = "jcache";
  /**
   * The keys and values one page of entries holds at most, beyond its first entry: pages leave
   * whole, so a page of large entries must stay well under the peer protocol's answer limit.
   */
  static final int PAGE_BYTES = 1 << 20;
  private static final System.Logger LOG = System.getLogger(CacheService.class.getName());

  /** What a node does with a change to a cache it has, or with a clear. */
  public interface Receiver {
    /**
     * Drops any copy of the key and tells listeners; completes when synchronous listeners ran,
     * with the first one's failure as text, or null. Never completes exceptionally.
     */
    CompletableFuture<String> apply(Event event);

    /** Drops every copy this node holds. */
    void clearCopies();
  }

  private final Node node;
  private final ScheduledExecutorService timer;
  private final Function<String, Settings.CacheSettings> settings;
  private final Duration invalidationTimeout;
  private final Ticker ticker;
  private final Map<String, OwnerStore> stores = new ConcurrentHashMap<>();
  private final Map<String, Receiver> receivers = new ConcurrentHashMap<>();
  private final LongAdder lateInvalidations = new LongAdder();
  private final LongAdder ownerRequests = new LongAdder();

  /**
   * @param settings a cache's settings by name: the owner-side budget (its main share) and how
   *     long a caller may take to load a key before another may
   */
  CacheService(Node node, ScheduledExecutorService timer, Function<String, Settings.CacheSettings> settings,
      Duration invalidationTimeout, Ticker ticker) {
    this.ticker = ticker;
    this.node = node;
    this.timer = timer;
    this.settings = settings;
    this.invalidationTimeout = invalidationTimeout;
  }

  /** The store of the entries of {@code cache} this node owns. */
  OwnerStore store(String cache) {
    OwnerStore store = stores.get(cache); // every owner request comes here: no lambda for a store that exists
    return store != null ? store : stores.computeIfAbsent(cache, id -> {
      Settings.CacheSettings s = settings.apply(CacheIds.name(id));
      long ownBytes = (long) (s.maxBytes() * (1 - s.hotShare()));
      return new OwnerStore(ownBytes, s.readThroughTimeout().toMillis(), event -> publish(id, event), timer, ticker);
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

  /** Changes whose delivery a member did not confirm in time. */
  long lateInvalidations() {
    return lateInvalidations.sum();
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

  /** Publishes an owner's change here and on every other member, in the order of calls. */
  private CompletableFuture<String> publish(String cache, Event event) {
    ByteView message = ByteView.of(NodeRequest.newBuilder().setCache(cache).setEvent(event).build());
    CompletableFuture<List<PeerReply>> remote = node.broadcast(NAME, message, invalidationTimeout);
    Receiver receiver = receivers.get(cache);
    CompletableFuture<String> here = receiver == null ? CompletableFuture.completedFuture(null) : receiver.apply(event);
    return remote.thenCombine(here, (replies, localFailure) -> {
      String failure = localFailure;
      for (PeerReply reply : replies) {
        if (reply.succeeded()) {
          if (failure == null) {
            failure = listenerFailure(reply.value());
          }
        } else {
          lateInvalidations.increment();
          LOG.log(Level.WARNING, "{0} did not confirm a change of cache {1} within {2} ({3}); its copy, if any, "
              + "lives out its near-copy lifetime", reply.peer(), CacheIds.name(cache), invalidationTimeout,
              reply.failure().getMessage());
        }
      }
      return failure;
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
