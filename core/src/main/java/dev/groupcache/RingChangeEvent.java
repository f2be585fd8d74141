package dev.groupcache;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** A JFR event for a change of this node's ring: its new fingerprint and member count. */
@Name("dev.groupcache.RingChange")
@Label("Ring change")
@Category("groupcache")
@Description("This node's ring changed: members joined or left")
final class RingChangeEvent extends jdk.jfr.Event {
  @Label("Ring version")
  String version;

  @Label("Members")
  int members;

  @Label("Includes this node")
  boolean includesSelf;
}
