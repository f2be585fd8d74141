package dev.groupcache;

/**
 * A snapshot of a group's counters, all counted since the group was made on this node.
 *
 * <p>For this node's callers: {@code gets = mainHits + hotHits + loads}. Of the {@code loads}
 * (gets that found neither cache), {@code loadsDeduplicated} waited for a load or fetch already
 * under way; the rest started one, which a peer answered ({@code peerLoads}), failed to answer
 * ({@code peerErrors}, then the key was loaded here) or which ran the loader here.
 *
 * @param gets calls of {@link Group#get} on this node
 * @param mainHits gets answered by the main cache
 * @param hotHits gets answered by the hot cache
 * @param loads gets that found neither cache
 * @param loadsDeduplicated loads that joined one already under way instead of starting their own
 * @param peerLoads values fetched from their owner
 * @param peerErrors fetches that failed (peer unreachable, past its deadline, or refusing)
 * @param peerSkips fetches not tried because their owner was suspected (see {@link Node#isAvailable})
 * @param localLoads calls of the loader on this node, successful or not
 * @param localLoadErrors calls of the loader that failed
 * @param serverRequests requests from peers
 * @param ringSkew requests sent or received whose two nodes had different ring versions
 * @param hotAdmissions fetched values given a hot copy
 * @param main the main cache: keys this node owns or had to load itself
 * @param hot the hot cache: copies of popular keys owned by other nodes
 */
public record GroupStats(
    long gets,
    long mainHits,
    long hotHits,
    long loads,
    long loadsDeduplicated,
    long peerLoads,
    long peerErrors,
    long peerSkips,
    long localLoads,
    long localLoadErrors,
    long serverRequests,
    long ringSkew,
    long hotAdmissions,
    CacheStats main,
    CacheStats hot) {

  /** Evictions from both caches. */
  public long evictions() {
    return main.evictions() + hot.evictions();
  }
}
