package dev.groupcache;

/**
 * Hears how long each request to a peer took, from its sending to its answer, on the thread that
 * read the answer: keep it short. Failures and requests past their deadline are not heard.
 */
@Internal
@FunctionalInterface
public interface RoundTripObserver {
  RoundTripObserver NONE = (peer, nanos) -> {};

  void roundTrip(PeerAddress peer, long nanos);
}
