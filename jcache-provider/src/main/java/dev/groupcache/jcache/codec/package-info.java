/**
 * Keys and values to bytes and back: the built-in codecs, codecs found through the {@code Codec}
 * SPI, and Java serialization behind an allowlist.
 *
 * <p>Internal: public only for {@code dev.groupcache.jcache}; not API (see that package).
 */
package dev.groupcache.jcache.codec;
