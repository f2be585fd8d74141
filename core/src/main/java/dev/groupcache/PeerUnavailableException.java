package dev.groupcache;

/**
 * A peer could not be asked, or did not answer: it is down, unreachable, suspected by this node's
 * failure detector, or slower than the deadline. Unlike the peer's own failure of a request, this says
 * nothing about the request: a caller may treat the peer's keys as unavailable for now.
 */
@Internal
public final class PeerUnavailableException extends GroupcacheException {
  private static final long serialVersionUID = 1L;
  private final transient PeerAddress peer;

  PeerUnavailableException(PeerAddress peer, String message, Throwable cause) {
    super(message, cause);
    this.peer = peer;
  }

  /** The peer, or null if no single peer was asked. */
  public PeerAddress peer() {
    return peer;
  }
}
