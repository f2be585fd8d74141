/**
 * The owner's side of the JCache provider: this JVM's member, the service that answers peers, the
 * store of owned entries, a cache's typed requests to owners, and near copies.
 *
 * <p>Internal: public only for {@code dev.groupcache.jcache}; not API (see that package).
 */
package dev.groupcache.jcache.cluster;
