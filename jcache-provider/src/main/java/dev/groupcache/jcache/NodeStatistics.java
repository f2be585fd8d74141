package dev.groupcache.jcache;

import java.util.List;

/**
 * This JVM's cluster member, as operators see it.
 *
 * @param self this node's address
 * @param peers the members on this node's ring, itself included when discovery lists it
 * @param ready whether discovery has synced and is not refused
 * @param ownerRequests requests this node answered as the owner of a key, from itself or peers
 * @param lateInvalidations changes a member did not confirm within the invalidation timeout
 */
public record NodeStatistics(String self, List<String> peers, boolean ready, long ownerRequests,
    long lateInvalidations) {}
