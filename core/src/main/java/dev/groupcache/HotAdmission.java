package dev.groupcache;

/**
 * Decides which values fetched from a peer are mirrored in the local hot cache.
 *
 * <p>A hot copy saves a network round trip on every later get but takes memory from the main
 * cache's budget, so it should go to keys this node asks for often.
 */
public enum HotAdmission {
  /**
   * Admit a key once this node has fetched it at least twice within the recent window, as measured
   * by a small count-min sketch of fetches; the hot cache's own TinyLFU eviction then keeps the more
   * popular of a newcomer and its victim. One-off keys never displace popular ones. The default.
   */
  POPULAR,
  /**
   * Admit one fetched value in ten, at random: golang/groupcache's policy, kept for comparison in
   * the benchmarks.
   */
  RANDOM_ONE_IN_TEN
}
