package dev.groupcache;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Decides, for one node, which of its peers are suspected, and reports every change.
 *
 * <p>Every {@code failureTimeout / 4} (the probe interval) a task on {@link Timers#SCHEDULER}
 * visits each link ({@link PeerClient#check}): a link that has heard nothing from its peer for an
 * interval sends a ping, which the peer answers from the thread that reads its connection; a link
 * that has been waiting for something (a ping or requests) while hearing nothing for
 * {@code failureTimeout} suspects its peer. A link suspects at once, without this task, when its
 * stream fails with {@code UNAVAILABLE} (refused, reset, ended by the peer). The first thing heard
 * from a suspected peer ends the suspicion.
 *
 * <p>A tick that runs late by more than an interval does not judge: this node may itself have been
 * paused (GC, CPU starvation), and the answers it did not read meanwhile are not its peers'
 * silence. Only the first late tick in a row skips judging, so that a node that is always late
 * still detects.
 *
 * <p>Exactly one log line per change of a peer's state: suspected ({@code WARNING}, with why; {@code
 * INFO} for a peer that closed in order), back ({@code INFO}, with how long it was suspected), gone
 * ({@code INFO}, dropped from the ring).
 * Everything else is counted, never logged. (Messages are built by concatenation rather than
 * {@code MessageFormat}, which would print a port or a duration with grouping commas.)
 */
final class FailureDetector {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
  static final Duration MIN_TIMEOUT = Duration.ofMillis(100);
  static final Duration MAX_TIMEOUT = Duration.ofMinutes(1);

  private static final System.Logger LOG = System.getLogger(FailureDetector.class.getName());

  private final PeerAddress self;
  private final Duration timeout;
  private final long timeoutNanos;
  private final long intervalNanos;
  private final AtomicLong suspicions = new AtomicLong();
  private final Map<PeerAddress, AtomicLong> suspicionsByPeer = new ConcurrentHashMap<>();
  private final Map<PeerAddress, LongAdder> callErrorsByPeer = new ConcurrentHashMap<>();
  private volatile RoundTripObserver roundTrips = RoundTripObserver.NONE;
  private ScheduledFuture<?> task; // guarded by this
  private long lastTickNanos; // only the timer thread
  private boolean lastTickLate; // only the timer thread

  /** Told, on the timer's thread, of each peer that answers again after a suspicion. */
  private final Consumer<PeerAddress> backListener;

  FailureDetector(PeerAddress self, Duration timeout, Consumer<PeerAddress> backListener) {
    this.self = self;
    this.backListener = backListener;
    this.timeout = timeout;
    this.timeoutNanos = timeout.toNanos();
    this.intervalNanos = timeoutNanos / 4;
  }

  /** Starts visiting the links that {@code links} lists at each tick. */
  synchronized void start(Supplier<Collection<PeerClient>> links) {
    lastTickNanos = System.nanoTime();
    task = Timers.SCHEDULER.scheduleWithFixedDelay(() -> tick(links.get()), intervalNanos, intervalNanos,
        TimeUnit.NANOSECONDS);
  }

  synchronized void stop() {
    if (task != null) {
      task.cancel(false);
    }
  }

  private void tick(Collection<PeerClient> links) {
    long now = System.nanoTime();
    boolean late = now - lastTickNanos > 2 * intervalNanos;
    boolean judge = !late || lastTickLate;
    lastTickNanos = now;
    lastTickLate = late;
    for (PeerClient link : links) {
      try {
        link.check(now, judge);
      } catch (RuntimeException e) {
        // A bug, not a peer's state; caught so that one link cannot stop the detection of all.
        LOG.log(Level.ERROR, self + ": checking " + link.address() + " failed", e);
      }
    }
  }

  Duration timeout() {
    return timeout;
  }

  long timeoutNanos() {
    return timeoutNanos;
  }

  /** How often each link is visited; the longest silence that does not yet call for a ping. */
  long intervalNanos() {
    return intervalNanos;
  }

  /** How many times any peer became suspected since this node started. */
  long suspicions() {
    return suspicions.get();
  }

  /**
   * Called once per change of {@code peer} to suspected; at {@code INFO} for a peer {@code leaving}
   * in order (it closed), which is a change of state but no trouble.
   */
  void suspected(PeerAddress peer, String why, boolean leaving) {
    suspicions.incrementAndGet();
    suspicionsByPeer.computeIfAbsent(peer, p -> new AtomicLong()).incrementAndGet();
    LOG.log(leaving ? Level.INFO : Level.WARNING, self + ": suspected " + peer + ": " + why
        + "; its keys are unavailable here until it answers");
  }

  /** Called once per change of {@code peer} from suspected to answering. */
  void back(PeerAddress peer, long suspectedNanos) {
    LOG.log(Level.INFO, self + ": " + peer + " is back after " + TimeUnit.NANOSECONDS.toMillis(suspectedNanos)
        + " ms suspected");
    Timers.SCHEDULER.execute(() -> backListener.accept(peer)); // not under the link's lock, nor on its thread
  }

  /** How many times {@code peer} became suspected while a member. */
  long suspicions(PeerAddress peer) {
    AtomicLong n = suspicionsByPeer.get(peer);
    return n == null ? 0 : n.get();
  }

  /** A request to {@code peer} failed: refused, past its deadline, or its stream ended. */
  void callFailed(PeerAddress peer) {
    callErrorsByPeer.computeIfAbsent(peer, p -> new LongAdder()).increment();
  }

  /** How many requests to {@code peer} failed. */
  long callErrors(PeerAddress peer) {
    LongAdder n = callErrorsByPeer.get(peer);
    return n == null ? 0 : n.sum();
  }

  void observeRoundTrips(RoundTripObserver observer) {
    roundTrips = observer;
  }

  /** A request to {@code peer} was answered {@code nanos} after it was sent. */
  void roundTrip(PeerAddress peer, long nanos) {
    roundTrips.roundTrip(peer, nanos);
  }

  /** Called once when {@code peer} leaves this node's ring. */
  void gone(PeerAddress peer, boolean wasSuspected) {
    suspicionsByPeer.remove(peer);
    LOG.log(Level.INFO, self + ": " + peer + " is gone from the ring" + (wasSuspected ? " (it was suspected)" : ""));
  }
}
