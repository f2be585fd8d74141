package dev.groupcache;

/**
 * A snapshot of one of a group's two caches.
 *
 * @param bytes the weight of the entries held: keys, values and per-entry overhead
 * @param entries the number of entries held
 * @param evictions entries removed to stay within the budget, since the group was made
 * @param maxBytes the budget
 */
public record CacheStats(long bytes, long entries, long evictions, long maxBytes) {}
