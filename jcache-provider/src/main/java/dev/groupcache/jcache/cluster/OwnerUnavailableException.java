package dev.groupcache.jcache.cluster;

import javax.cache.CacheException;

/**
 * The owner of a key, or a member asked for its entries, could not be asked or did not answer.
 * Reads take it as a miss; writes fail with it, naming the owner and why.
 */
public final class OwnerUnavailableException extends CacheException {
  private static final long serialVersionUID = 1L;

  OwnerUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
