/**
 * Expiry policies turned into the wire's milliseconds, asked only what an operation needs.
 *
 * <p>Internal: public only for {@code dev.groupcache.jcache}; not API (see that package).
 */
package dev.groupcache.jcache.expiry;
