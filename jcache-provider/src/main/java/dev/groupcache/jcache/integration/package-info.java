/**
 * Read-through and write-through: the cache's loader and writer at work.
 *
 * <p>Internal: public only for {@code dev.groupcache.jcache}; not API (see that package).
 */
package dev.groupcache.jcache.integration;
