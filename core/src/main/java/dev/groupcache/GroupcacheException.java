package dev.groupcache;

/** The base of the exceptions a {@link Group} throws. */
public class GroupcacheException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public GroupcacheException(String message) {
    super(message);
  }

  public GroupcacheException(String message, Throwable cause) {
    super(message, cause);
  }
}
