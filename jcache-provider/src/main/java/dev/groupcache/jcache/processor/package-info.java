/**
 * Entry processors: {@code invoke} and {@code invokeAll}.
 *
 * <p>Internal: public only for {@code dev.groupcache.jcache}; not API (see that package).
 */
package dev.groupcache.jcache.processor;
