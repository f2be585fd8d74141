package dev.groupcache.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Free ports on 127.0.0.1 for nodes that must know each other's ports before they start (Hazelcast
 * members, our JCache members with static peers, the agent's node). Chosen at random below the
 * kernel's ephemeral range and checked to bind on 127.0.0.1, by the child-JVM harness's {@link
 * dev.groupcache.testing.FreePorts}: a port from {@code ServerSocket(0)} could be taken by any
 * outgoing connection before the child binds it, and a fixed range would be shared by two runs on
 * one machine.
 */
final class FreePorts {
  private FreePorts() {}

  /** {@code count} distinct ports that nothing listens on now. */
  static List<Integer> find(int count) {
    List<Integer> ports = new ArrayList<>(count);
    for (int p : dev.groupcache.testing.FreePorts.take(count)) {
      ports.add(p);
    }
    return ports;
  }
}
