package dev.groupcache.discovery;

import java.time.Duration;

/**
 * Tells who the peers are, and when that changes. Made by {@link Discovery#create}.
 *
 * <p>Lifecycle: {@link #start} begins watching and waits, at most the configured sync timeout,
 * for the first full view; the source then keeps its view current in the background, through
 * errors and reconnections, until {@link #close}. It never gives up and never pretends: while it
 * has not synced, or is refused access, {@link #isReady} is false.
 */
public interface PeerSource extends AutoCloseable {
  /**
   * Starts the source and waits until it has synced or {@code timeout} passes.
   *
   * @return whether the source synced in time; if not it goes on trying and runs with what it has
   */
  boolean start(Duration timeout);

  /** The current set; empty before the first sync. */
  PeerSet current();

  /** Adds a listener; it is called at once with the current set if the source has synced. */
  void addListener(PeerListener listener);

  boolean isReady();

  DiscoveryStats stats();

  /** Stops watching; listeners hear nothing more. */
  @Override
  void close();
}
