package dev.groupcache.discovery;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * What every source shares: the published set, listeners, the debounce, readiness and figures.
 *
 * <p>Subclasses compute sets and {@link #offer} them. The first set after the first sync is
 * published at once (so {@link #start} returns with it); later ones wait for the debounce, and a
 * burst of offers publishes only the last. Listeners hear a set only if it differs from the last
 * one they heard. All publishing happens on one notification thread per source.
 */
abstract class PublishingSource implements PeerSource {
  private static final System.Logger LOG = System.getLogger(PeerSource.class.getName());

  private final String description;
  private final long debounceNanos;
  private final ScheduledExecutorService notifier;
  private final List<PeerListener> listeners = new CopyOnWriteArrayList<>();
  private final CountDownLatch firstSync = new CountDownLatch(1);
  final AtomicLong events = new AtomicLong();
  final AtomicLong watchRestarts = new AtomicLong();
  final AtomicLong relists = new AtomicLong();
  private volatile PeerSet published = PeerSet.empty();
  private volatile boolean synced;
  private volatile boolean forbidden;
  private volatile String lastError;
  private volatile Instant lastUpdate;
  private volatile double lastLatencyMillis;
  private PeerSet pending; // guarded by this
  private long pendingSinceNanos; // guarded by this
  private ScheduledFuture<?> scheduled; // guarded by this
  private boolean firstPublished; // confined to the notification thread

  PublishingSource(String description, Duration debounce) {
    this.description = description;
    this.debounceNanos = debounce.toNanos();
    this.notifier = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "groupcache-discovery-notify");
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts whatever produces the sets; returns at once. */
  abstract void begin();

  /** Stops it. */
  abstract void end();

  @Override
  public final boolean start(Duration timeout) {
    begin();
    try {
      boolean done = firstSync.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
      if (!done) {
        LOG.log(Level.WARNING, "{0} has not synced within {1}; running with no peers and not ready until it does{2}",
            description, timeout, lastError == null ? "" : " (last error: " + lastError + ")");
      }
      return done;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** A newly computed set; published after the debounce, or at once if it is the first. */
  final void offer(PeerSet set) {
    synchronized (this) {
      if (pending == null) {
        pendingSinceNanos = System.nanoTime();
      }
      pending = set;
      if (scheduled == null && synced) {
        scheduled = notifier.schedule(this::publish, debounceNanos, TimeUnit.NANOSECONDS);
      }
    }
  }

  /**
   * The source has a full view; the first time, publishes it before returning, and only then
   * counts as synced, so that a ready source never shows an empty set it has not looked at.
   */
  final void synced() {
    forbidden = false;
    lastError = null;
    if (synced) {
      return;
    }
    try {
      notifier.submit(this::publish).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      LOG.log(Level.ERROR, "publishing the first peer set failed", e.getCause());
    }
    synchronized (this) {
      synced = true;
      if (pending != null && scheduled == null) { // offered while the first set was being published
        scheduled = notifier.schedule(this::publish, debounceNanos, TimeUnit.NANOSECONDS);
      }
    }
    firstSync.countDown();
  }

  /** A request failed; a refusal (403) also makes the source not ready. Listeners hear of it. */
  final void markFailed(String problem, boolean refused) {
    lastError = problem;
    forbidden = refused;
    try {
      notifier.execute(() -> tellListeners(listener -> listener.failed(problem, refused)));
    } catch (RejectedExecutionException e) {
      // closed: nobody listens any more
    }
  }

  /**
   * Publishes the pending set if it differs from the published one. The first call, made by the
   * first {@link #synced()}, publishes even an unchanged (initially empty) set: that the source
   * has looked is news.
   */
  private void publish() {
    PeerSet offered;
    long offeredSince;
    synchronized (this) {
      offered = pending;
      offeredSince = pendingSinceNanos;
      pending = null;
      scheduled = null;
    }
    if (firstPublished && (offered == null || offered.equals(published))) {
      return;
    }
    PeerSet set = offered != null ? offered : published;
    long since = offered != null ? offeredSince : System.nanoTime();
    firstPublished = true;
    PeerSet before = published;
    published = set;
    lastUpdate = Instant.now();
    tellListeners(listener -> listener.peersChanged(set));
    lastLatencyMillis = (System.nanoTime() - since) / 1e6;
    if (LOG.isLoggable(Level.INFO)) {
      LOG.log(Level.INFO, "{0}: {1} peers ({2}), {3} draining{4}", description, set.peers().size(),
          difference(before.peers(), set.peers()), set.draining().size(),
          set.problem() == null ? "" : "; the target " + set.problem());
    }
  }

  /** On the notification thread: tells each listener, one failing not keeping it from the others. */
  private void tellListeners(Consumer<PeerListener> call) {
    for (PeerListener listener : listeners) {
      try {
        call.accept(listener);
      } catch (RuntimeException e) {
        LOG.log(Level.ERROR, "a peer listener failed", e);
      }
    }
  }

  /** What changed between two sorted lists, briefly: {@code +a +b -c}, at most a few of each. */
  static String difference(List<String> before, List<String> after) {
    java.util.Set<String> old = new java.util.HashSet<>(before);
    java.util.Set<String> now = new java.util.HashSet<>(after);
    StringBuilder sb = new StringBuilder();
    int shown = 0;
    int hidden = 0;
    for (String p : after) {
      if (!old.contains(p)) {
        if (shown++ < 5) {
          sb.append(sb.length() == 0 ? "" : " ").append('+').append(p);
        } else {
          hidden++;
        }
      }
    }
    for (String p : before) {
      if (!now.contains(p)) {
        if (shown++ < 10) {
          sb.append(sb.length() == 0 ? "" : " ").append('-').append(p);
        } else {
          hidden++;
        }
      }
    }
    return sb.length() == 0 ? "no change" : hidden == 0 ? sb.toString() : sb + " and " + hidden + " more";
  }

  @Override
  public final PeerSet current() {
    return published;
  }

  @Override
  public final void addListener(PeerListener listener) {
    notifier.execute(() -> { // on the notification thread, ordered with every publication
      listeners.add(listener);
      if (firstPublished) {
        listener.peersChanged(published);
      }
    });
  }

  @Override
  public final boolean isReady() {
    return synced && !forbidden;
  }

  @Override
  public final DiscoveryStats stats() {
    PeerSet set = published;
    return new DiscoveryStats(isReady(), set.peers().size(), set.draining().size(), events.get(),
        watchRestarts.get(), relists.get(), forbidden, lastUpdate, lastLatencyMillis, lastError);
  }

  @Override
  public final void close() {
    end();
    notifier.shutdownNow();
  }

  @Override
  public String toString() {
    return description;
  }
}
