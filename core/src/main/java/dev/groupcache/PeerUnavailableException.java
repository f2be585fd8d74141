package dev.groupcache;

/**
 * A peer could not be asked, or did not answer: it is down, unreachable, suspected by this node's
 * failure detector, or slower than the deadline. Unlike the peer's own failure of a request, this says
 * nothing about the request: a caller may treat the peer's keys as unavailable for now. Whether the
 * request may have reached the peer, and been applied there, {@link #mayHaveArrived} tells.
 */
@Internal
public final class PeerUnavailableException extends GroupcacheException {
  private static final long serialVersionUID = 1L;
  private final transient PeerAddress peer;
  private final boolean mayHaveArrived;

  /** A request that was sent, or may have been, and then went unanswered. */
  PeerUnavailableException(PeerAddress peer, String message, Throwable cause) {
    this(peer, message, cause, true);
  }

  PeerUnavailableException(PeerAddress peer, String message, Throwable cause, boolean mayHaveArrived) {
    super(message, cause);
    this.peer = peer;
    this.mayHaveArrived = mayHaveArrived;
  }

  /** The peer, or null if no single peer was asked. */
  public PeerAddress peer() {
    return peer;
  }

  /**
   * Whether the request may have reached the peer: false only if it was never sent (the peer was
   * suspected) or every peer that got it refused it unapplied. A request that may have arrived may
   * also have been applied, and its sender cannot tell: sending a change again elsewhere may apply
   * it twice.
   */
  public boolean mayHaveArrived() {
    return mayHaveArrived;
  }
}
