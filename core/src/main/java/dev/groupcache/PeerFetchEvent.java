package dev.groupcache;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * A JFR event for a request to a peer, committed when its answer arrives: which peer, the round
 * trip from sending to answer, and whether the answer was a failure. A slow get shows here when
 * its owner was slow to answer. (JFR times an event from {@code begin()} on the committing thread;
 * the request was sent on another, so the round trip is a field of its own.)
 */
@Name("dev.groupcache.PeerFetch")
@Label("Peer fetch")
@Category("groupcache")
@Description("A request to a peer, from its sending to its answer")
final class PeerFetchEvent extends jdk.jfr.Event {
  private static final jdk.jfr.EventType TYPE = jdk.jfr.EventType.getEventType(PeerFetchEvent.class);

  @Label("Peer")
  String peer;

  @Label("Round trip")
  @jdk.jfr.Timespan
  long roundTrip;

  @Label("Failed")
  boolean failed;

  /** Whether a recording takes these events now: a volatile read, no allocation. */
  static boolean enabled() {
    return TYPE.isEnabled();
  }

  static void record(PeerAddress peer, long roundTripNanos, boolean failed) {
    PeerFetchEvent event = new PeerFetchEvent();
    if (event.shouldCommit()) {
      event.peer = peer.toString();
      event.roundTrip = roundTripNanos;
      event.failed = failed;
      event.commit();
    }
  }
}
