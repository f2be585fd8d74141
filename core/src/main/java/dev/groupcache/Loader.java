package dev.groupcache;

/**
 * Produces the value of a key that no node has cached: the source of truth behind a {@link Group}.
 *
 * <p>Called on the node that owns the key (or, when the owner cannot be reached, on the node that
 * asked), at most once at a time per key and node: concurrent gets wait for the same call. Runs on
 * the node's load executor, never on a caller's thread, so a caller that gives up does not
 * interrupt it. Values must be a pure function of the key: the engine has no invalidation at this
 * layer, so the same key must always yield the same bytes.
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
