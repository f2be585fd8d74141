/**
 * The groupcache engine: a {@link dev.groupcache.Node} is this JVM's member of the cluster, and a
 * {@link dev.groupcache.Group} a named cache on it whose keys are loaded once, by their owner on
 * the consistent-hash ring, and fetched from it by every other member.
 *
 * <p>The API is what is public here and not marked {@link dev.groupcache.Internal}. What is marked
 * (the services that other modules of this project carry over the peer links: {@code
 * Node.registerService}, {@code call}, {@code callOwner}, {@code broadcast}, {@link
 * dev.groupcache.PeerHandler}, {@link dev.groupcache.PeerReply}) is public only for those modules.
 */
package dev.groupcache;
