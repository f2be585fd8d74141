package dev.groupcache;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * A JFR event for a request to a peer, from its sending to its answer: which peer, and whether the
 * answer was a failure. A slow get shows here when its owner was slow to answer.
 */
@Name("dev.groupcache.PeerFetch")
@Label("Peer fetch")
@Category("groupcache")
@Description("A request to a peer, from its sending to its answer")
final class PeerFetchEvent extends jdk.jfr.Event {
  private static final jdk.jfr.EventType TYPE = jdk.jfr.EventType.getEventType(PeerFetchEvent.class);

  @Label("Peer")
  String peer;

  @Label("Failed")
  boolean failed;

  /** Whether a recording takes these events now: a volatile read, no allocation. */
  static boolean enabled() {
    return TYPE.isEnabled();
  }
}
