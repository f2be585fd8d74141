package dev.groupcache.jcache.codec;

import javax.cache.CacheException;

/**
 * Bytes could not be turned back into an object: they are malformed, name a codec this node does
 * not have, or hold a class that the serialization allowlist refuses. A {@link CacheException}, so
 * JCache callers see the failure type the specification promises.
 */
public final class CodecException extends CacheException {
  private static final long serialVersionUID = 1L;

  CodecException(String message) {
    super(message);
  }

  CodecException(String message, Throwable cause) {
    super(message, cause);
  }
}
