package dev.groupcache;

/**
 * Produces the value of a key that no node has cached: the source of truth behind a {@link Group}.
 *
 * <p>Called on the node that owns the key (or, when the owner cannot be reached, on the node that
 * asked), at most once at a time per key and node: concurrent gets wait for the same call. It runs
 * on the thread of the {@link Group#get(ByteView)} that started it, or on the node's load executor
 * for gets with a deadline and for peers. If the starting caller is interrupted and the loader
 * fails, the load is run again on the executor for the other callers. Values must be a pure
 * function of the key: the engine has no invalidation at this layer, so the same key must always
 * yield the same bytes.
 */
@FunctionalInterface
public interface Loader {
  /**
   * Returns the value of {@code key}; never null.
   *
   * @throws Exception any failure: every caller waiting for this key sees it, wrapped in a
   *     {@link LoadException} that keeps its message, and the next get tries again
   */
  ByteView load(ByteView key) throws Exception;
}
