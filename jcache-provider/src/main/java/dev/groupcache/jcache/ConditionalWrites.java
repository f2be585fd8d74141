package dev.groupcache.jcache;

import dev.groupcache.ByteView;
import dev.groupcache.jcache.cluster.OwnerClient;
import dev.groupcache.jcache.cluster.WriteBatch;
import dev.groupcache.jcache.codec.CacheCodec;
import dev.groupcache.jcache.expiry.Ttl;
import dev.groupcache.jcache.integration.WriteThrough;
import dev.groupcache.jcache.management.CacheStatistics;
import dev.groupcache.jcache.proto.OwnerResponse;
import java.util.function.Supplier;

/**
 * A cache's compound writes: each reads the entry, decides, and writes on the condition that the
 * entry's version has not changed meanwhile, starting over if it has; a key that keeps changing
 * under {@link OwnerClient#MAX_ATTEMPTS} attempts fails with {@link OwnerClient#contended}.
 */
final class ConditionalWrites<K, V> {
  private final OwnerClient owners;
  private final CacheCodec<K, V> codec;
  private final Ttl ttl;
  private final WriteThrough<K, V> writeThrough;
  private final CacheStatistics statistics;

  ConditionalWrites(OwnerClient owners, CacheCodec<K, V> codec, Ttl ttl, WriteThrough<K, V> writeThrough,
      CacheStatistics statistics) {
    this.owners = owners;
    this.codec = codec;
    this.ttl = ttl;
    this.writeThrough = writeThrough;
    this.statistics = statistics;
  }

  /**
   * Puts unconditionally, asking the expiry policy only what applies: a pure policy ahead, for both
   * cases, in one request; any other after a read tells whether this is a creation or an update.
   */
  OwnerResponse put(K key, ByteView k, ByteView v, boolean returnOld) {
    if (ttl.pure()) {
      return owners.put(k, v, ttl.creation(), ttl.update(), returnOld);
    }
    for (int attempt = 0; attempt < OwnerClient.MAX_ATTEMPTS; attempt++) {
      OwnerResponse r = owners.putOver(k, v, owners.peek(k), ttl, returnOld);
      if (r.getApplied()) {
        return r;
      }
    }
    throw owners.contended(key);
  }

  /**
   * Begins a put for a batch ({@code putAll}) and returns what awaits its answer: with a pure
   * expiry policy one write of {@code batch}; with any other, the read and write of {@link #put},
   * made now.
   */
  Supplier<OwnerResponse> beginPut(WriteBatch batch, K key, ByteView k, ByteView v) {
    if (ttl.pure()) {
      return batch.put(k, v, ttl.creation(), ttl.update());
    }
    OwnerResponse r = put(key, k, v, false);
    return () -> r;
  }

  /**
   * Replaces an entry that exists and, if {@code expected} is not null, holds it; returns the
   * owner's answer, or null if there was no such entry. With no expected value, no writer and a
   * pure expiry policy, one write on the condition that the entry exists; else a read and a write.
   */
  OwnerResponse replace(K key, ByteView k, V expected, V value, ByteView v, boolean returnOld) {
    long start = statistics.start();
    if (expected == null && !writeThrough.isEnabled() && ttl.pure()) {
      // nothing to compare or to call before the write: one request, the owner decides
      OwnerResponse r = owners.putIfPresent(k, v, ttl.update(), returnOld);
      if (!r.getApplied()) {
        statistics.recordMiss();
        return null;
      }
      return replaced(r, start);
    }
    for (int attempt = 0; attempt < OwnerClient.MAX_ATTEMPTS; attempt++) {
      OwnerResponse snapshot = holding(k, expected);
      if (snapshot == null) {
        return null;
      }
      writeThrough.write(key, value);
      OwnerResponse r = owners.putOver(k, v, snapshot, ttl, returnOld);
      if (r.getApplied()) {
        return replaced(r, start);
      }
    }
    throw owners.contended(key);
  }

  /** A replace that applied: counted as a hit and a put, its listeners' failure thrown. */
  private OwnerResponse replaced(OwnerResponse r, long start) {
    statistics.recordHit();
    statistics.recordPut(start);
    OwnerClient.listenerFailure(r);
    return r;
  }

  /** Removes an entry that holds {@code expected}; whether it did. */
  boolean remove(K key, ByteView k, V expected) {
    long start = statistics.start();
    for (int attempt = 0; attempt < OwnerClient.MAX_ATTEMPTS; attempt++) {
      OwnerResponse snapshot = holding(k, expected);
      if (snapshot == null) {
        return false;
      }
      writeThrough.delete(key);
      OwnerResponse r = owners.removeIfVersion(k, snapshot.getVersion());
      if (r.getApplied()) {
        statistics.recordHit();
        statistics.recordRemoval(start);
        OwnerClient.listenerFailure(r);
        return true;
      }
    }
    throw owners.contended(key);
  }

  /**
   * The entry as the owner holds it, for a write on the condition that it exists and holds {@code
   * expected} (any value if null); null, counted as a miss or a hit, if it does not.
   */
  private OwnerResponse holding(ByteView k, V expected) {
    OwnerResponse snapshot = owners.peek(k);
    if (!snapshot.getPresent()) {
      statistics.recordMiss();
      return null;
    }
    if (expected != null && !expected.equals(codec.decodeValue(snapshot.getValue()))) {
      statistics.recordHit();
      owners.touch(k, ttl.access());
      return null;
    }
    return snapshot;
  }
}
