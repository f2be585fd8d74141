/**
 * The provider's settings, from MicroProfile Config or, without it, from system properties and the
 * environment.
 *
 * <p>Internal: public only for {@code dev.groupcache.jcache}; not API (see that package).
 */
package dev.groupcache.jcache.configuration;
