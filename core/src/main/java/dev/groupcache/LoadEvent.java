package dev.groupcache;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * A JFR event for a call of a loader on this node ({@code jcmd <pid> JFR.start}): which group or
 * cache, how long the key was, how long the load took and whether it failed. Recorded for loads
 * only, never for hits.
 */
@Internal
@Name("dev.groupcache.Load")
@Label("Load")
@Category("groupcache")
@Description("A call of a group's or cache's loader on this node")
public final class LoadEvent extends jdk.jfr.Event {
  @Label("Group or cache")
  public String name;

  @Label("Key bytes")
  public int keyBytes;

  @Label("Failed")
  public boolean failed;
}
