package dev.groupcache;

/**
 * The caller's own timeout elapsed before the value arrived. The shared load goes on and fills the
 * cache for later callers; other callers waiting for the same key are not affected.
 */
public final class GetTimeoutException extends GroupcacheException {
  private static final long serialVersionUID = 1L;

  public GetTimeoutException(String message) {
    super(message);
  }
}
