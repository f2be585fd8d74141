package dev.groupcache.jcache.cluster;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.groupcache.ByteView;
import dev.groupcache.PeerAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Which members hold a copy of which of one cache's owned entries: the owner's directory, so that
 * a change drops only the copies that exist instead of asking every member.
 *
 * <p>A holding is recorded when the owner answers a read that will keep a copy, and lasts as long
 * as that copy can: until the copy's lifetime, counted from the answer, has passed. A change takes
 * the key's holdings. Both run under the key's lock in {@link OwnerStore}, so a read that records
 * a holding either comes before a change (and is taken by it) or reads the changed value.
 *
 * <p>The directory is bounded by a number of keys; when it is full, reads get no copy lease and
 * keep no copy, which costs them a round trip but never correctness.
 */
final class CopyHolders {
  private record Holding(PeerAddress member, long until) {}

  private final Cache<ByteView, Holding[]> byKey;
  private final long maxKeys;

  CopyHolders(long maxKeys, Ticker ticker) {
    this.maxKeys = maxKeys;
    this.byKey = Caffeine.newBuilder()
        .ticker(ticker)
        .executor(Runnable::run) // maintenance on the caller: a hand-off to another thread costs a wake-up
        .expireAfter(new Expiry<ByteView, Holding[]>() {
          @Override
          public long expireAfterCreate(ByteView key, Holding[] h, long now) {
            return lastUntil(h) - now;
          }

          @Override
          public long expireAfterUpdate(ByteView key, Holding[] h, long now, long remaining) {
            return lastUntil(h) - now;
          }

          @Override
          public long expireAfterRead(ByteView key, Holding[] h, long now, long remaining) {
            return remaining;
          }
        })
        .build();
  }

  private static long lastUntil(Holding[] holdings) {
    long last = holdings[0].until();
    for (Holding h : holdings) {
      if (h.until() - last > 0) {
        last = h.until();
      }
    }
    return last;
  }

  /**
   * Records that {@code member} holds a copy of the key until {@code until}; under the key's lock.
   * Returns false if the directory is full and the member must not keep the copy.
   */
  boolean add(ByteView key, PeerAddress member, long until, long now) {
    Holding[] current = byKey.getIfPresent(key);
    if (current == null) {
      if (byKey.estimatedSize() >= maxKeys) {
        return false;
      }
      byKey.put(key, new Holding[] {new Holding(member, until)});
      return true;
    }
    List<Holding> next = new ArrayList<>(current.length + 1);
    for (Holding h : current) {
      if (!h.member().equals(member) && h.until() - now > 0) {
        next.add(h);
      }
    }
    next.add(new Holding(member, until));
    byKey.put(key, next.toArray(new Holding[0]));
    return true;
  }

  /** The members that may hold a copy of the key now, forgotten here; under the key's lock. */
  List<PeerAddress> take(ByteView key, long now) {
    Holding[] current = byKey.asMap().remove(key);
    if (current == null) {
      return List.of();
    }
    List<PeerAddress> members = new ArrayList<>(current.length);
    for (Holding h : current) {
      if (h.until() - now > 0) {
        members.add(h.member());
      }
    }
    return members;
  }

  /** Keys with holdings, for the counters and tests. */
  long size() {
    return byKey.estimatedSize();
  }
}
