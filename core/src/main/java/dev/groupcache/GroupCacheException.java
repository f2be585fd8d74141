package dev.groupcache;

/** The base of the exceptions a {@link Group} throws. */
public class GroupCacheException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public GroupCacheException(String message) {
    super(message);
  }

  public GroupCacheException(String message, Throwable cause) {
    super(message, cause);
  }
}
