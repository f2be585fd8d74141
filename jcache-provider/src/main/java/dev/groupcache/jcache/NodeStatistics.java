package dev.groupcache.jcache;

import java.util.List;

/**
 * This JVM's cluster member, as operators see it.
 *
 * @param self this node's address
 * @param peers the members on this node's ring, itself included when discovery lists it
 * @param ready whether discovery has synced and is not refused
 * @param ownerRequests requests this node answered as the owner of a key, from itself or peers
 * @param lateInvalidations drops and events a member did not confirm in time: the change went on
 *     once that member's copy lease ran out, or its listeners' timeout passed
 * @param suspicions how often a peer became suspected here (it answered nothing for the failure
 *     timeout, or refused connections)
 * @param leaseExpiries how often this node's copy lease from an owner ran out while it held copies
 *     under it (it was paused, cut off, or missed a drop), dropping them
 * @param changesPublished changes made at this node as an owner
 * @param invalidationsSent drops and events it sent for them: per change, the members it told
 * @param unavailableReads reads answered as misses (or loaded here) because the key's owner was
 *     unavailable
 */
public record NodeStatistics(String self, List<String> peers, boolean ready, long ownerRequests,
    long lateInvalidations, long suspicions, long leaseExpiries, long changesPublished, long invalidationsSent,
    long unavailableReads) {}
