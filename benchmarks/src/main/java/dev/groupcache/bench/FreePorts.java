package dev.groupcache.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds consecutive free ports on 127.0.0.1 for Hazelcast, whose members must know each other's
 * ports before they start. Prefers Hazelcast's usual 5701-style range, moved to 15701 to keep clear
 * of any real Hazelcast on the machine.
 */
final class FreePorts {
  private static final int MAX_TRIES = 50;
  private static final int STEP = 10;

  private FreePorts() {}

  /** The first run of {@code count} free ports starting at {@code base}, {@code base + STEP}, .... */
  static List<Integer> find(int base, int count) {
    for (int t = 0; t < MAX_TRIES; t++) {
      int first = base + t * STEP;
      List<Integer> ports = new ArrayList<>();
      for (int p = first; p < first + count && isFree(p); p++) {
        ports.add(p);
      }
      if (ports.size() == count) {
        return ports;
      }
      Progress.note("ports " + first + "-" + (first + count - 1) + " are not all free; trying further");
    }
    throw new IllegalStateException("no " + count + " consecutive free ports from " + base);
  }

  private static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true); // as Hazelcast is configured: a port in TIME_WAIT is free
      s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
