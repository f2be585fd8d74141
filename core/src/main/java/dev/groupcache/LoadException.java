package dev.groupcache;

/**
 * The value could not be loaded: the loader threw, returned null or an oversized value, or ran past
 * the group's load timeout, on this node or on the key's owner.
 *
 * <p>The message names the group, the node that loaded and the loader's own message. When the load
 * ran on this node the loader's exception is the cause; a peer's failure arrives as text only.
 */
public final class LoadException extends GroupcacheException {
  private static final long serialVersionUID = 1L;

  public LoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
