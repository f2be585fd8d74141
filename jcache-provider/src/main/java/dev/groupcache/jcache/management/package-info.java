/**
 * Statistics and the JSR-107 MXBeans.
 *
 * <p>Internal: public only for {@code dev.groupcache.jcache}; not API (see that package).
 */
package dev.groupcache.jcache.management;
