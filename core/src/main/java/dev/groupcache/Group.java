package dev.groupcache;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A named cache of byte values, filled by a {@link Loader} and shared by every node of the cluster.
 *
 * <p>{@link #get} looks in the main cache, then in the hot cache; on a miss it asks the key's owner
 * on the ring, or runs the loader if this node is the owner. Each node runs at most one load or
 * fetch per key at a time, and the owner answers its peers from the same single load, so a key
 * missing everywhere is loaded once in the whole cluster however many callers want it at once.
 *
 * <p>The main cache holds keys this node loaded: the keys it owns and those it had to load itself
 * because their owner failed. The hot cache holds copies of other nodes' keys that this node asks
 * for often (see {@link HotAdmission}).
 *
 * <p>If the owner cannot be reached, does not answer within {@link GroupConfig#peerTimeout()} or
 * refuses the group, the key is loaded here instead. While the node suspects the owner (see
 * {@link Node.Builder#failureTimeout}) its keys are loaded here without asking it, and gets waiting
 * on it are released at once when the suspicion starts, so that a dead or hung peer does not cost
 * every get a full deadline. A failure of the
 * owner's loader is not retried here: it reaches the caller as a {@link LoadException}.
 *
 * <p>Made by {@link Node#newGroup}; thread-safe.
 */
public final class Group {
  private final GroupConfig config;
  private final Loader loader;
  private final Node node;
  private final ByteCache main;
  private final ByteCache hot; // null when the hot share is 0
  private final FrequencySketch fetchSketch; // null unless hot admission is by popularity
  private final GroupCounters counters = new GroupCounters();
  /** Loader calls under way on this node. Peers' requests may join these, and only these. */
  private final SingleFlight<ByteView> loads = new SingleFlight<>(counters.loadsDeduplicated, true);
  /** Fetches from owners under way. Only this node's own callers join these. */
  private final SingleFlight<ByteView> fetches = new SingleFlight<>(counters.loadsDeduplicated, false);

  Group(Node node, GroupConfig config, Loader loader) {
    this.node = node;
    this.config = config;
    this.loader = Objects.requireNonNull(loader, "loader");
    this.main = new ByteCache(config.mainBytes());
    long hotBytes = config.hotBytes();
    this.hot = hotBytes > 0 ? new ByteCache(hotBytes) : null;
    this.fetchSketch = hot != null && config.hotAdmission() == HotAdmission.POPULAR
        ? newFetchSketch(hotBytes)
        : null;
  }

  /**
   * A sketch whose window is about four times the hot cache's capacity in 1 KiB entries: a key
   * fetched twice within that many fetches is popular enough to mirror. Its table takes 1/64 of
   * the hot budget, outside the budget.
   */
  private static FrequencySketch newFetchSketch(long hotBytes) {
    int capacity = (int) Math.max(16, Math.min(1 << 20, hotBytes / 1024));
    return new FrequencySketch(8 * capacity, 4 * capacity);
  }

  public String name() {
    return config.name();
  }

  public GroupConfig config() {
    return config;
  }

  /**
   * Returns the value of {@code key}, loading it if no node has it cached. Waits as long as the load
   * takes. If this call starts a load on this node, it runs the loader on the calling thread, as a
   * loading cache does, and waits for it however long it takes; other callers of the same key stop
   * waiting after the group's load timeout. Use {@link #get(ByteView, Duration)} to bound the wait.
   *
   * @throws IllegalArgumentException if the key is empty or longer than the node's key limit
   * @throws LoadException if the loader failed, here or at the owner
   * @throws GroupcacheException if the calling thread was interrupted (its interrupt flag is set)
   */
  public ByteView get(ByteView key) {
    ByteView v = lookup(key);
    return v != null ? v : await(key, miss(key, true), -1);
  }

  /**
   * Like {@link #get(ByteView)}, but gives up after {@code timeout}; the load goes on for others.
   * Never runs the loader on the calling thread.
   *
   * @throws GetTimeoutException if the value did not arrive in time
   */
  public ByteView get(ByteView key, Duration timeout) {
    ByteView v = lookup(key);
    return v != null ? v : await(key, miss(key, false), timeout.toNanos());
  }

  /** A snapshot of this group's counters on this node. */
  public GroupStats stats() {
    CacheStats hotStats = hot != null ? hot.stats() : new CacheStats(0, 0, 0, 0);
    return counters.snapshot(main.stats(), hotStats);
  }

  private ByteView lookup(ByteView key) {
    ByteView v = main.get(key);
    if (v != null) {
      counters.mainHits.increment();
      return v;
    }
    if (hot != null && (v = hot.get(key)) != null) {
      counters.hotHits.increment();
      return v;
    }
    return null;
  }

  /** @param callerMayLoad whether the caller may run the loader itself (it set no deadline) */
  private CompletableFuture<ByteView> miss(ByteView key, boolean callerMayLoad) {
    node.checkKey(key);
    counters.loads.increment();
    Ring ring = node.ring();
    PeerAddress owner = ring.owner(key);
    if (owner == null || owner.equals(node.self())) {
      return load(key, callerMayLoad);
    }
    PeerClient peer = node.peerClient(owner);
    if (peer == null) {
      return load(key, callerMayLoad); // the owner left the ring while this get was routed
    }
    if (!peer.available()) {
      counters.peerSkips.increment();
      return load(key, callerMayLoad);
    }
    return fetches.flight(key, (k, flight) -> fetch(peer, k, ring.version(), flight)).local;
  }

  /**
   * Asks the owner. Unlike a load, a fetch does not look in the caches again first: the caller
   * just did, and losing the race with a fetch that ended in between costs one more round trip,
   * not a load (the owner has the value), so every remote get need not pay two more lookups.
   */
  private void fetch(PeerClient peer, ByteView key, long ringVersion, CompletableFuture<ByteView> flight) {
    peer.get(config.name(), key, ringVersion, config.peerTimeout().toMillis(), new Fetch(key, ringVersion, flight));
  }

  /** The outcome of one fetch, completing its flight. */
  private final class Fetch implements PeerClient.Callback {
    private final ByteView key;
    private final long ringVersion;
    private final CompletableFuture<ByteView> flight;

    Fetch(ByteView key, long ringVersion, CompletableFuture<ByteView> flight) {
      this.key = key;
      this.ringVersion = ringVersion;
      this.flight = flight;
    }

    @Override
    public void onReply(ByteView value, long ownerRingVersion) {
      counters.peerLoads.increment();
      if (ownerRingVersion != ringVersion) {
        counters.ringSkew.increment();
      }
      offerHot(key, value);
      flight.complete(value);
    }

    @Override
    public void onFailure(Throwable failure) {
      if (failure instanceof PeerClient.RemoteFailure) {
        flight.completeExceptionally(failure); // the owner's loader failed: do not repeat it here
        return;
      }
      counters.peerErrors.increment();
      load(key, false).whenComplete((v, e) -> {
        if (e == null) {
          flight.complete(v);
        } else {
          flight.completeExceptionally(e);
        }
      });
    }
  }

  /**
   * Runs the loader here, once per key at a time; the value goes to the main cache.
   *
   * <p>A caller without a deadline that starts the load runs the loader on its own thread, sparing
   * two thread hand-offs. If that caller is interrupted and the load fails, only its own get fails:
   * the load starts again on the load executor for everyone else. All other loads run on the
   * executor.
   */
  private CompletableFuture<ByteView> load(ByteView key, boolean onCallersThread) {
    ByteView[] ownValue = new ByteView[1]; // what this caller's own run of the loader returned
    CompletableFuture<ByteView> flight = loads.flight(key, (k, f) -> startLoad(k, f, onCallersThread, ownValue)).local;
    // A caller that ran the loader gets its value, even if the others stopped waiting for it.
    return ownValue[0] != null && flight.isCompletedExceptionally()
        ? CompletableFuture.completedFuture(ownValue[0])
        : flight;
  }

  /** @param ownValue receives the value when the loader ran on the caller's thread and succeeded */
  private void startLoad(ByteView key, CompletableFuture<ByteView> flight, boolean onCallersThread,
      ByteView[] ownValue) {
    ByteView cached = main.get(key);
    if (cached != null) {
      flight.complete(cached);
      return;
    }
    flight.orTimeout(config.loadTimeout().toNanos(), TimeUnit.NANOSECONDS);
    if (onCallersThread) {
      ownValue[0] = runLoader(key, flight, true);
    } else {
      submitLoad(key, flight);
    }
  }

  private void submitLoad(ByteView key, CompletableFuture<ByteView> flight) {
    try {
      node.loadExecutor().execute(() -> runLoader(key, flight, false));
    } catch (RejectedExecutionException e) {
      flight.completeExceptionally(new GroupcacheException("the load executor refused the load", e));
    }
  }

  /** Runs the loader and completes the flight; returns the value, or null if the load failed. */
  private ByteView runLoader(ByteView key, CompletableFuture<ByteView> flight, boolean onCallersThread) {
    if (flight.isDone()) {
      return null; // timed out while queued
    }
    counters.localLoads.increment();
    LoadEvent event = new LoadEvent();
    event.begin();
    ByteView value;
    try {
      value = loader.load(key);
      if (value == null) {
        throw new NullPointerException("the loader returned null");
      }
      node.checkValue(value);
      commit(event, key, false);
    } catch (Throwable t) {
      commit(event, key, true);
      counters.localLoadErrors.increment();
      boolean interrupted = t instanceof InterruptedException || Thread.currentThread().isInterrupted();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      if (onCallersThread && interrupted) {
        submitLoad(key, flight); // the caller was interrupted, not the load: the others get a fresh one
      } else {
        flight.completeExceptionally(t);
      }
      return null;
    }
    main.put(key, value);
    flight.complete(value);
    return value;
  }

  private void commit(LoadEvent event, ByteView key, boolean failed) {
    if (event.shouldCommit()) {
      event.name = name();
      event.keyBytes = key.length();
      event.failed = failed;
      event.commit();
    }
  }

  private void offerHot(ByteView key, ByteView value) {
    if (hot == null) {
      return;
    }
    boolean admit = fetchSketch != null
        ? fetchSketch.increment(Ring.hash(key)) >= 2
        : ThreadLocalRandom.current().nextInt(10) == 0;
    if (admit) {
      counters.hotAdmissions.increment();
      hot.put(key, value);
    }
  }

  private ByteView cached(ByteView key) {
    ByteView v = main.get(key);
    return v != null || hot == null ? v : hot.get(key);
  }

  // ---- requests from peers: answered here, never forwarded ----

  /** The cached value for a peer's request, or null; counts the request and any ring skew. */
  ByteView lookupForPeer(ByteView key, long peerRingVersion) {
    counters.serverRequests.increment();
    if (peerRingVersion != node.ring().version()) {
      counters.ringSkew.increment();
    }
    return cached(key);
  }

  /** Loads a key for a peer, joining a load under way but never a fetch; never on the caller's thread. */
  CompletableFuture<ByteView> loadForPeer(ByteView key) {
    return loads.flight(key, (k, f) -> startLoad(k, f, false, null));
  }

  // ---- waiting ----

  /**
   * Parks at once, leaving the wake-up to whoever completes the flight. Spinning first was measured
   * and rejected: callers spinning with {@code Thread.yield()} need no wake-up, which lifted W2 by a
   * fifth on two cores, but on Linux's EEVDF scheduler each yield moves the caller's deadline a slice
   * later, so a spinner sharing a CPU with the transport threads starved for milliseconds (W2's p99
   * rose from 0.12 ms to 1.0-1.4 ms in four runs of six); spinning without yielding took the CPU
   * the transport needed.
   */
  private ByteView await(ByteView key, CompletableFuture<ByteView> flight, long timeoutNanos) {
    try {
      return timeoutNanos < 0 ? flight.get() : flight.get(timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw loadFailed(key, e.getCause());
    } catch (CancellationException e) {
      throw loadFailed(key, e);
    } catch (TimeoutException e) {
      throw new GetTimeoutException("no value for " + key + " of group " + name() + " within "
          + Duration.ofNanos(timeoutNanos) + "; the load goes on");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GroupcacheException("interrupted while waiting for " + key + " of group " + name(), e);
    }
  }

  private LoadException loadFailed(ByteView key, Throwable cause) {
    String where;
    if (cause instanceof PeerClient.RemoteFailure) {
      PeerClient.RemoteFailure remote = (PeerClient.RemoteFailure) cause;
      return new LoadException("loading " + key + " of group " + name() + " failed at "
          + remote.peer() + ": " + remote.getMessage(), null);
    } else if (cause instanceof TimeoutException) {
      where = "the load timed out after " + config.loadTimeout();
    } else {
      where = String.valueOf(cause);
    }
    return new LoadException("loading " + key + " of group " + name() + " failed at "
        + node.self() + ": " + where, cause);
  }

  /** The message a peer's caller sees when this node's load for it failed. */
  String describeFailure(Throwable cause) {
    return cause instanceof TimeoutException
        ? "the load timed out after " + config.loadTimeout()
        : String.valueOf(cause);
  }
}
