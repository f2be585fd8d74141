package dev.groupcache.jcache.cluster;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.groupcache.ByteView;
import dev.groupcache.jcache.proto.BackedEntry;
import dev.groupcache.jcache.proto.HandedEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * The backups this node keeps of one cache's entries for their owners: each key's newest version
 * as its owner sent it, or a tombstone for a removal, until it expires. Nothing here is served
 * while the owner answers; when it does not, this node acts as the owner and takes the key's
 * backup into its own store first ({@link #take}).
 *
 * <p>Bounded by weight, as owned entries are; a backup evicted for room is a backup lost, counted
 * by the owner's store size only. Tombstones live {@link #TOMBSTONE_LIFE}: long enough that a
 * backup of the key's earlier version, late on the wire, finds it. An expired backup or tombstone
 * stays until the node's timer sweeps it ({@link #sweepExpired}); until then it still refuses
 * older versions, and is never handed out.
 */
final class BackupStore {
  static final Duration TOMBSTONE_LIFE = Duration.ofSeconds(30);
  private static final long TOMBSTONE_NANOS = TOMBSTONE_LIFE.toNanos();

  /** A backed-up entry; {@code value} null for a tombstone. {@code expiresAt} a ticker reading or MAX. */
  private record Backed(ByteView value, long version, long expiresAt) {
    boolean expired(long now) {
      return expiresAt != Long.MAX_VALUE && now - expiresAt >= 0;
    }
  }

  private final Cache<ByteView, Backed> entries;
  private final Ticker ticker;
  private final ExpirySweep<ByteView, Backed> expirySweep;

  BackupStore(long maxBytes, Ticker ticker) {
    this.ticker = ticker;
    this.entries = Caffeine.newBuilder()
        .executor(Runnable::run) // no hand-off per backup
        .maximumWeight(maxBytes)
        .weigher((ByteView k, Backed b) -> k.length() + (b.value() == null ? 0 : b.value().length())
            + OwnerStore.ENTRY_OVERHEAD_BYTES)
        // No Caffeine expiry: it costs every backup a timer-wheel reschedule. An expired backup is
        // never handed out (see handed) and is reclaimed by sweepExpired, as owned entries are.
        .build();
    this.expirySweep = new ExpirySweep<>(entries.asMap(), Backed::expiresAt);
  }

  /**
   * Reclaims expired backups and tombstones: looks at up to {@code budget} entries, going on from
   * where the last call stopped. Costs nothing for a store none of whose backups expire. Called by
   * one thread at a time (the node's timer).
   */
  void sweepExpired(int budget) {
    expirySweep.sweep(budget, ticker.read(), entries.asMap()::remove);
  }

  /** Keeps a backup unless this store has a newer version of its key. */
  void keep(BackedEntry e) {
    long now = ticker.read();
    long expiresAt = e.getRemoved() ? now + TOMBSTONE_NANOS
        : e.getRemainingMillis() < 0 ? Long.MAX_VALUE : now + TimeUnit.MILLISECONDS.toNanos(e.getRemainingMillis());
    Backed sent = new Backed(e.getRemoved() ? null : ByteView.copyOf(e.getValue()), e.getVersion(), expiresAt);
    expirySweep.kept(expiresAt);
    entries.asMap().merge(ByteView.copyOf(e.getKey()), sent,
        (held, incoming) -> held.version() >= incoming.version() ? held : incoming);
  }

  /** The live backup of {@code key} as its owner's store takes it, removed from here; null if none. */
  HandedEntry take(ByteView key) {
    Backed b = entries.asMap().remove(key);
    return handed(key, b, ticker.read());
  }

  /** The live backup of {@code key}, left here; null if none. */
  HandedEntry peek(ByteView key) {
    return handed(key, entries.getIfPresent(key), ticker.read());
  }

  /**
   * Takes out every backup whose key {@code ownedHere} says this node now owns, giving each live one
   * to {@code adopt} (tombstones are dropped), and drops those {@code keptHere} no longer wants.
   */
  void sort(Predicate<ByteView> ownedHere, Predicate<ByteView> keptHere, BiConsumer<ByteView, HandedEntry> adopt) {
    long now = ticker.read();
    List<ByteView> keys = new ArrayList<>(entries.asMap().keySet());
    for (ByteView key : keys) {
      if (ownedHere.test(key)) {
        HandedEntry e = handed(key, entries.asMap().remove(key), now);
        if (e != null) {
          adopt.accept(key, e);
        }
      } else if (!keptHere.test(key)) {
        entries.invalidate(key);
      }
    }
  }

  private static HandedEntry handed(ByteView key, Backed b, long now) {
    if (b == null || b.value() == null || b.expired(now)) {
      return null;
    }
    long remaining = b.expiresAt() == Long.MAX_VALUE ? -1
        : Math.max(1, TimeUnit.NANOSECONDS.toMillis(b.expiresAt() - now));
    return HandedEntry.newBuilder().setKey(OwnerStore.bytes(key)).setValue(OwnerStore.bytes(b.value()))
        .setVersion(b.version()).setRemainingMillis(remaining).build();
  }

  /** Backups held, tombstones and expired ones not yet swept included. */
  long size() {
    return entries.estimatedSize();
  }

  /** Their weight: keys, values and per-entry overhead. */
  long bytes() {
    return entries.policy().eviction().map(e -> e.weightedSize().orElse(0L)).orElse(0L);
  }

  void clear() {
    entries.invalidateAll();
  }
}
