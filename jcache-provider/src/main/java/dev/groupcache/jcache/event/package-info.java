/**
 * Cache entry listeners and the changes they hear, from every member, each key's in order.
 *
 * <p>Internal: public only for {@code dev.groupcache.jcache}; not API (see that package).
 */
package dev.groupcache.jcache.event;
