package dev.groupcache.jcache.integration;

import dev.groupcache.ByteView;
import dev.groupcache.LoadEvent;
import dev.groupcache.jcache.cluster.CacheIds;
import dev.groupcache.jcache.cluster.OwnerClient;
import dev.groupcache.jcache.cluster.OwnerLoads;
import dev.groupcache.jcache.cluster.OwnerUnavailableException;
import dev.groupcache.jcache.codec.CacheCodec;
import dev.groupcache.jcache.expiry.Ttl;
import dev.groupcache.jcache.proto.OwnerResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.function.Predicate;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CompletionListener;

/**
 * A cache's loader at work: a get's load of a key this node holds the owner's lease for, so that
 * the key is loaded once in the cluster; the loads this node runs, as the owner, for peers' gets
 * ({@link #ownerLoads}); and {@code loadAll}, on the cache's event pool.
 *
 * @param <K> the cache's key type
 * @param <V> the cache's value type
 */
public final class ReadThrough<K, V> {
  /**
   * How many loads this node runs at once for peers' gets of keys it owns; beyond that a peer gets
   * the lease and loads on its own thread, so that a slow loader is not held to this node's threads.
   */
  private static final int MAX_OWNER_LOADS = 64;
  /** Of the peers' request timeout, the longest recent loads may take for this node to load for peers. */
  private static final int OWNER_LOAD_TIMEOUT_SHARE = 4;
  private final CacheLoader<K, V> loader; // null: the cache has none
  private final boolean readThrough;
  private final Map<ByteView, CompletableFuture<V>> loadingHere = new ConcurrentHashMap<>();
  private final OwnerClient owners;
  private final CacheCodec<K, V> codec;
  private final Ttl ttl;
  private final Executor pool;
  private final Semaphore ownerLoadPlaces = new Semaphore(MAX_OWNER_LOADS);
  private final long ownerLoadLimitNanos;
  /** A moving average of the loader's recent times here; updates may race, it is a hint. */
  private volatile long recentLoadNanos;

  /**
   * @param peerTimeout how long a peer waits for this node's answer: this node loads for peers only
   *     while its recent loads take well under it, lest they give up and load again themselves
   */
  public ReadThrough(CacheLoader<K, V> loader, boolean readThrough, OwnerClient owners, CacheCodec<K, V> codec, Ttl ttl,
      Executor pool, Duration peerTimeout) {
    this.ownerLoadLimitNanos = peerTimeout.toNanos() / OWNER_LOAD_TIMEOUT_SHARE;
    this.loader = loader;
    this.readThrough = readThrough && loader != null;
    this.owners = owners;
    this.codec = codec;
    this.ttl = ttl;
    this.pool = pool;
  }

  /**
   * A load under the owner's lease on this node. Gets of its key made on this node while the
   * loader runs wait for it rather than ask the owner ({@link #loadToJoin}); each began before the
   * load reports to the owner, so the owner's answer to that report, which the outcome is, is
   * decided within every joiner's call.
   */
  private static final class LeasedLoad {
    /** The value as the owner's answer left it (encoded), null for none; or the loader's failure. */
    final CompletableFuture<ByteView> outcome = new CompletableFuture<>();
    volatile boolean joinable = true;
  }

  private final Map<ByteView, LeasedLoad> leasedHere = new ConcurrentHashMap<>();

  /** Runs the loader for a key this node holds the lease of, and stores what it returns. */
  public V load(K key, ByteView k, long lease) {
    LeasedLoad mine = new LeasedLoad();
    leasedHere.put(k, mine);
    try {
      return load(key, k, lease, mine);
    } catch (RuntimeException e) {
      mine.outcome.completeExceptionally(e);
      throw e;
    } finally {
      leasedHere.remove(k, mine);
      if (!mine.outcome.isDone()) { // an Error: the joiners fail too, rather than read a stale absence
        mine.outcome.completeExceptionally(new CacheLoaderException("the load of " + key + " ended without an outcome"));
      }
    }
  }

  private V load(K key, ByteView k, long lease, LeasedLoad mine) {
    V value;
    try {
      value = timedLoad(key, k);
    } catch (Exception e) {
      mine.joinable = false;
      owners.loadedNothing(k, lease, String.valueOf(e));
      throw loaderFailure(key, e);
    }
    mine.joinable = false; // a get from now on may begin after the owner decided: it asks the owner
    if (value == null) {
      OwnerResponse r = owners.loadedNothing(k, lease, null);
      mine.outcome.complete(r.getPresent() ? ByteView.copyOf(r.getValue()) : null);
      return null;
    }
    long creation = ttl.creation();
    ByteView encoded = codec.value(value);
    OwnerResponse r;
    try {
      r = owners.loaded(k, lease, encoded, creation);
    } catch (OwnerUnavailableException e) { // the owner went while this node loaded: the value stands
      mine.outcome.complete(encoded);
      return value;
    }
    if (!r.getApplied() && r.getPresent()) {
      mine.outcome.complete(ByteView.copyOf(r.getValue()));
      OwnerClient.listenerFailure(r);
      return codec.decodeValue(r.getValue()); // someone put while we loaded: theirs stands
    }
    mine.outcome.complete(creation == 0 ? null : encoded);
    OwnerClient.listenerFailure(r);
    return creation == 0 ? null : value;
  }

  /** This cache's loads for peers as the owner of their keys, or null if it has no read-through. */
  public OwnerLoads ownerLoads() {
    if (!readThrough) {
      return null;
    }
    return new OwnerLoads() {
      @Override
      public boolean reserve() {
        return recentLoadNanos <= ownerLoadLimitNanos && ownerLoadPlaces.tryAcquire();
      }

      @Override
      public void start(ByteView k, long lease) {
        try {
          pool.execute(() -> {
            try {
              loadForPeer(k, lease);
            } finally {
              ownerLoadPlaces.release();
            }
          });
        } catch (RejectedExecutionException e) { // the node is closing
          ownerLoadPlaces.release();
          owners.loadedNothing(k, lease, "the key's owner is closing: " + e.getMessage());
        }
      }
    };
  }

  private void loadForPeer(ByteView k, long lease) {
    K key;
    try {
      key = codec.decodeKey(k);
    } catch (RuntimeException e) {
      owners.loadedNothing(k, lease, "the key's owner could not decode the key to load it: " + e.getMessage());
      return;
    }
    try {
      load(key, k, lease);
    } catch (RuntimeException e) {
      // the loader's failure went to the waiting reads with the report; another ends the lease at its timeout
    }
  }

  /**
   * The outcome of a load this node runs under the owner's lease for {@code k} that a get made
   * now may wait for instead of asking the owner; null if there is none, or it has finished
   * loading (a get made now asks the owner, which may have decided since).
   */
  public CompletableFuture<ByteView> loadToJoin(ByteView k) {
    if (!readThrough) {
      return null;
    }
    LeasedLoad load = leasedHere.get(k);
    return load != null && load.joinable ? load.outcome : null;
  }

  /** What a get that joined a load returns: the value as the owner's answer left it, or the loader's failure. */
  public V joined(K key, CompletableFuture<ByteView> outcome) {
    ByteView value;
    try {
      value = outcome.join();
    } catch (CompletionException e) {
      throw loaderFailure(key, e.getCause());
    }
    return value == null ? null : codec.decodeValue(value);
  }

  /** Calls the loader, counted and timed, and recorded as a JFR event when a recording asks. */
  private V timedLoad(K key, ByteView k) throws Exception {
    LoadEvent event = new LoadEvent();
    event.begin();
    long start = System.nanoTime();
    boolean failed = true;
    try {
      V value = loader.load(key);
      failed = false;
      return value;
    } finally {
      long took = System.nanoTime() - start;
      recentLoadNanos += (took - recentLoadNanos) / 8;
      owners.counters().loaded(took, failed);
      if (event.shouldCommit()) {
        event.name = CacheIds.name(owners.cache());
        event.keyBytes = k.length();
        event.failed = failed;
        event.commit();
      }
    }
  }

  /** Whether a get's miss loads the key. */
  public boolean isEnabled() {
    return readThrough;
  }

  /**
   * Loads a key whose owner is unavailable, here and once for this node's concurrent callers; the
   * value cannot be stored at its owner, so it is kept as a near copy if the cache keeps them.
   */
  public V loadHere(K key, ByteView k) {
    CompletableFuture<V> mine = new CompletableFuture<>();
    CompletableFuture<V> flight = loadingHere.putIfAbsent(k, mine);
    if (flight != null) {
      try {
        return flight.join();
      } catch (CompletionException e) {
        throw loaderFailure(key, e.getCause()); // the loading caller's failure
      }
    }
    long before = owners.beginNearRead();
    try {
      V value = timedLoad(key, k);
      if (value != null) {
        owners.keepLoaded(k, codec.value(value), before);
      }
      mine.complete(value);
      return value;
    } catch (Exception e) {
      CacheLoaderException failure = loaderFailure(key, e);
      mine.completeExceptionally(failure);
      throw failure;
    } finally {
      owners.endNearRead();
      loadingHere.remove(k, mine);
    }
  }

  /**
   * Loads the keys on the event pool, all of them or those not {@code present}, and stores what
   * the loader returns: over what is there, or only where nothing is. No writer, no put statistics.
   */
  public void loadAll(Set<? extends K> keys, boolean replaceExistingValues, Predicate<K> present,
      CompletionListener listener) {
    if (loader == null) {
      if (listener != null) {
        listener.onCompletion();
      }
      return;
    }
    List<K> requested = List.copyOf(keys);
    pool.execute(() -> {
      try {
        List<K> missing = replaceExistingValues ? requested : requested.stream().filter(present.negate()).toList();
        long start = System.nanoTime();
        Map<K, V> loaded;
        try {
          loaded = loader.loadAll(missing);
        } catch (RuntimeException e) {
          owners.counters().loaded(System.nanoTime() - start, true);
          throw e;
        }
        owners.counters().loaded(System.nanoTime() - start, false);
        if (loaded != null) {
          loaded.forEach((key, value) -> {
            if (key != null && value != null) {
              store(key, value, replaceExistingValues);
            }
          });
        }
        if (listener != null) {
          listener.onCompletion();
        }
      } catch (Exception e) {
        if (listener != null) {
          listener.onException(e instanceof CacheLoaderException ? e : new CacheLoaderException(e));
        }
      }
    });
  }

  private void store(K key, V value, boolean replace) {
    ByteView k = codec.key(key);
    ByteView v = codec.value(value);
    for (int attempt = 0; attempt < OwnerClient.MAX_ATTEMPTS; attempt++) {
      OwnerResponse snapshot = owners.peek(k);
      if (snapshot.getPresent() && !replace) {
        return;
      }
      OwnerResponse r = owners.putOver(k, v, snapshot, ttl, false);
      if (r.getApplied()) {
        OwnerClient.listenerFailure(r);
        return;
      }
    }
    throw owners.contended(key);
  }

  private static CacheLoaderException loaderFailure(Object key, Throwable e) {
    return e instanceof CacheLoaderException ? (CacheLoaderException) e
        : new CacheLoaderException("the cache loader failed for " + key, e);
  }
}
