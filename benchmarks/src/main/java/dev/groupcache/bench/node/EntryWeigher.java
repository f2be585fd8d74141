package dev.groupcache.bench.node;

import com.github.benmanes.caffeine.cache.Weigher;
import dev.groupcache.GroupConfig;

/**
 * Weighs a Caffeine JCache entry as groupcache weighs its own: key bytes (the keys are ASCII, so
 * one byte per char) plus value bytes plus groupcache's per-entry heap overhead. With it a byte
 * budget means the same in both.
 */
public final class EntryWeigher implements Weigher<String, byte[]> {
  @Override
  public int weigh(String key, byte[] value) {
    return key.length() + value.length + GroupConfig.ENTRY_OVERHEAD_BYTES;
  }
}
