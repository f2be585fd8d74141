package dev.groupcache;

/**
 * One peer's answer to a broadcast.
 *
 * @param peer who answered, or failed to
 * @param value the answer, or null if the peer failed or did not answer in time
 * @param failure why there is no answer, or null
 */
@Internal
public record PeerReply(PeerAddress peer, ByteView value, Throwable failure) {
  public boolean succeeded() {
    return failure == null;
  }
}
