package dev.groupcache.jcache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.groupcache.ByteView;
import dev.groupcache.GroupCacheException;
import dev.groupcache.Node;
import dev.groupcache.PeerAddress;
import dev.groupcache.PeerReply;
import dev.groupcache.jcache.proto.Clear;
import dev.groupcache.jcache.proto.Entries;
import dev.groupcache.jcache.proto.EntriesPage;
import dev.groupcache.jcache.proto.Entry;
import dev.groupcache.jcache.proto.Loaded;
import dev.groupcache.jcache.proto.NodeRequest;
import dev.groupcache.jcache.proto.NodeResponse;
import dev.groupcache.jcache.proto.OwnerRequest;
import dev.groupcache.jcache.proto.OwnerResponse;
import dev.groupcache.jcache.proto.Read;
import dev.groupcache.jcache.proto.Write;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.CacheException;

/**
 * One cache's view of the cluster from this node: requests to the owners of its keys, requests to
 * every node, and near copies of other owners' entries.
 *
 * <p>A near copy lives at most {@code nearTtl}, and never past its entry's remaining life at the
 * owner. Owners drop it before they acknowledge a change (see {@link CacheService}). A copy read
 * from an owner is kept only if no change of that key reached this node after the read was sent;
 * otherwise the read could reinstate a value the change had just dropped. That check and the
 * keeping are one atomic step on the key, which a drop of the key cannot split: a drop either
 * comes first and is seen, or comes after and removes the copy before the change is acknowledged.
 * A clear works by generation instead: a copy read before the last clear is never served.
 */
final class OwnerClient {
  private static final int PAGE = 1_000;

  /**
   * A copy of another owner's entry; {@code readAt} is the change counter when its read was sent,
   * which a later clear makes too old to serve.
   */
  private record Near(ByteView value, long version, long expiresAt, long readAt) {}

  /** Runs between the check and the keeping of a near copy; tests make a drop land there. */
  interface KeepHook {
    KeepHook NONE = key -> {};

    void checked(ByteView key);
  }

  private final Node node;
  private final CacheService service;
  private final String cache;
  private final Duration timeout;
  private final Cache<ByteView, Near> near; // null: no copies
  private final Cache<ByteView, Long> droppedAt; // key -> change counter when its copy was dropped
  private final long nearTtl;
  private final AtomicLong changes = new AtomicLong();
  private volatile long clearedAt;
  private volatile KeepHook keepHook = KeepHook.NONE;

  OwnerClient(Node node, CacheService service, String cache, Duration timeout, long nearBytes, Duration nearTtl) {
    this.node = node;
    this.service = service;
    this.cache = cache;
    this.timeout = timeout;
    long ttl = nearTtl.toNanos();
    this.near = nearBytes <= 0 || ttl <= 0 ? null : Caffeine.newBuilder()
        .maximumWeight(nearBytes)
        .weigher((ByteView k, Near n) -> k.length() + n.value().length() + OwnerStore.ENTRY_OVERHEAD_BYTES)
        .expireAfter(new Expiry<ByteView, Near>() {
          @Override
          public long expireAfterCreate(ByteView key, Near n, long now) {
            return Math.max(0, n.expiresAt() - now);
          }

          @Override
          public long expireAfterUpdate(ByteView key, Near n, long now, long remaining) {
            return Math.max(0, n.expiresAt() - now);
          }

          @Override
          public long expireAfterRead(ByteView key, Near n, long now, long remaining) {
            return remaining;
          }
        })
        .build();
    // A read in flight is bounded by the timeout; remembering drops a little longer covers it.
    this.droppedAt = near == null ? null
        : Caffeine.newBuilder().expireAfterWrite(timeout.multipliedBy(2).plusSeconds(1)).build();
    this.nearTtl = ttl;
  }

  String cache() {
    return cache;
  }

  /** Whether this node owns the key now. */
  boolean ownsHere(ByteView key) {
    return node.ownerOf(key).equals(node.self());
  }

  /**
   * This node's copy of another owner's entry, or null: what a plain read may answer with instead
   * of asking the owner.
   */
  ByteView nearCopy(ByteView key) {
    if (near == null) {
      return null;
    }
    Near n = near.getIfPresent(key);
    if (n == null || n.readAt() < clearedAt) {
      return null;
    }
    return ownsHere(key) ? null : n.value(); // a key that moved here is the store's
  }

  /**
   * Reads an entry at its owner; with {@code keepCopy}, a present answer is kept as a near copy. A
   * read changes nothing but an access time, so one whose owner leaves the ring while it waits there
   * is asked again of the new owner rather than failed.
   */
  OwnerResponse read(ByteView key, Read read, boolean keepCopy) {
    if (ownsHere(key)) { // this node's own store: no request to build, no copy to keep
      return await(service.read(cache, key, read));
    }
    long before = changes.get();
    OwnerResponse r = remote(key, OwnerRequest.newBuilder().setCache(cache).setRead(read).build(), true);
    if (keepCopy && near != null && r.getPresent() && r.getLease() == 0) {
      keep(key, r, before);
    }
    return r;
  }

  /**
   * Keeps a copy of what a read sent when the counter stood at {@code before} returned, unless a
   * drop of the key or a clear has happened since. The check runs inside the near map's atomic
   * compute of the key, so a concurrent {@link #drop} either is seen by it or removes the copy
   * after it.
   */
  void keep(ByteView key, OwnerResponse r, long before) {
    long life = r.getRemainingMillis() < 0 ? nearTtl : Math.min(nearTtl, TimeUnit.MILLISECONDS.toNanos(r.getRemainingMillis()));
    if (life <= 0 || clearedAt > before) {
      return;
    }
    near.asMap().compute(key, (k, current) -> {
      Long dropped = droppedAt.getIfPresent(k);
      if (dropped != null && dropped > before) {
        return current;
      }
      keepHook.checked(k);
      return new Near(ByteView.copyOf(r.getValue()), r.getVersion(), System.nanoTime() + life, before);
    });
  }

  /** The change counter: a read records it before it is sent, for {@link #keep}. */
  long changes() {
    return changes.get();
  }

  void keepHook(KeepHook hook) {
    this.keepHook = hook;
  }

  OwnerResponse write(ByteView key, Write write) {
    drop(key); // this node's own copy goes at once; the owner's event drops it again, and elsewhere
    return call(key, OwnerRequest.newBuilder().setCache(cache).setWrite(write).build());
  }

  OwnerResponse loaded(ByteView key, Loaded loaded) {
    return call(key, OwnerRequest.newBuilder().setCache(cache).setLoaded(loaded).build());
  }

  /**
   * Forgets this node's copy of a key: an owner changed it. The mark comes first, so that a copy
   * being kept either sees it or is removed here after it was kept.
   */
  void drop(ByteView key) {
    if (near != null) {
      droppedAt.put(key, changes.incrementAndGet());
      near.invalidate(key);
    }
  }

  /** Forgets every copy. */
  void dropAll() {
    if (near != null) {
      clearedAt = changes.incrementAndGet();
      near.invalidateAll();
    }
  }

  /** Drops every entry of the cache on every member, without events. */
  void clearEverywhere() {
    ByteView clear = ByteView.of(NodeRequest.newBuilder().setCache(cache).setClear(Clear.getDefaultInstance())
        .build());
    List<PeerReply> replies = await(node.broadcast(CacheService.NAME, clear, timeout));
    service.clearHere(cache);
    for (PeerReply r : replies) {
      if (!r.succeeded()) {
        throw new CacheException("clearing cache " + CacheIds.name(cache) + " on " + r.peer() + " failed: "
            + r.failure().getMessage(), r.failure());
      }
    }
  }

  /** Every live entry of the cache, member by member, fetched a page at a time. */
  Iterator<Entry> entries() {
    List<PeerAddress> members = new ArrayList<>(node.peers());
    if (!members.contains(node.self())) {
      members.add(node.self());
    }
    return new Iterator<>() {
      private final ArrayDeque<Entry> page = new ArrayDeque<>();
      private int member = -1;
      private ByteView after;
      private boolean more;

      @Override
      public boolean hasNext() {
        while (page.isEmpty()) {
          if (!more) {
            if (++member >= members.size()) {
              return false;
            }
            after = null;
          }
          EntriesPage p = fetch(members.get(member), after);
          page.addAll(p.getEntriesList());
          more = p.getMore() && !p.getEntriesList().isEmpty();
          if (!p.getEntriesList().isEmpty()) {
            after = ByteView.copyOf(p.getEntries(p.getEntriesCount() - 1).getKey());
          }
        }
        return true;
      }

      @Override
      public Entry next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return page.poll();
      }
    };
  }

  private EntriesPage fetch(PeerAddress member, ByteView after) {
    Entries.Builder entries = Entries.newBuilder().setLimit(PAGE);
    if (after != null) {
      entries.setAfter(OwnerStore.bytes(after));
    }
    ByteView request = ByteView.of(NodeRequest.newBuilder().setCache(cache).setEntries(entries).build());
    ByteView reply = await(node.call(member, CacheService.NAME, request, timeout));
    try {
      return NodeResponse.parseFrom(reply.asReadOnlyBuffer()).getPage();
    } catch (InvalidProtocolBufferException e) {
      throw new CacheException(member + " sent an unreadable page of cache " + CacheIds.name(cache), e);
    }
  }

  private OwnerResponse call(ByteView key, OwnerRequest request) {
    if (ownsHere(key)) { // this node's own store: no serialization, no hop
      return await(service.answer(key, request));
    }
    return remote(key, request, false);
  }

  private OwnerResponse remote(ByteView key, OwnerRequest request, boolean idempotent) {
    ByteView reply = await(node.callOwner(CacheService.NAME, key, ByteView.of(request), timeout, idempotent));
    try {
      return OwnerResponse.parseFrom(reply.asReadOnlyBuffer());
    } catch (InvalidProtocolBufferException e) {
      throw new CacheException("an unreadable answer from the owner: " + e.getMessage(), e);
    }
  }

  /** Waits a little longer than the call's own deadline, which fails it first. */
  private <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw new CacheException("cache " + CacheIds.name(cache) + ": " + cause.getMessage(), cause);
    } catch (TimeoutException e) {
      throw new CacheException("cache " + CacheIds.name(cache) + ": no answer within " + timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheException("interrupted", e);
    } catch (GroupCacheException e) {
      throw new CacheException(e.getMessage(), e);
    }
  }
}
