package dev.groupcache.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for servers that another process binds later, chosen below the kernel's ephemeral range.
 *
 * <p>A port from {@code new ServerSocket(0)} comes from the ephemeral range, the same range that
 * every outgoing connection on the machine takes its local port from: between the test closing it
 * and the child binding it, any connection (often the child cluster's own first links) can take
 * it, and the child fails to start. Ports below that range are never handed out that way.
 */
public final class FreePorts {
  private static final int LOWEST = 10_000;

  private FreePorts() {}

  /** {@code count} distinct ports nothing listens on now on the loopback address. */
  public static int[] take(int count) {
    int highest = ephemeralLow() - 1;
    List<ServerSocket> held = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0, tries = 0; i < count; tries++) {
        if (tries > 10_000) {
          throw new IllegalStateException("no free port in " + LOWEST + "-" + highest);
        }
        int port = ThreadLocalRandom.current().nextInt(LOWEST, highest + 1);
        ServerSocket socket = bind(port);
        if (socket != null) {
          held.add(socket);
          ports[i++] = port;
        }
      }
      return ports;
    } finally {
      for (ServerSocket socket : held) {
        try {
          socket.close();
        } catch (IOException e) {
          // free either way once this JVM lets go of it
        }
      }
    }
  }

  /** One port, as {@link #take(int)}. */
  public static int take() {
    return take(1)[0];
  }

  private static ServerSocket bind(int port) {
    ServerSocket socket = null;
    try {
      socket = new ServerSocket();
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return socket;
    } catch (IOException e) {
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // not bound
        }
      }
      return null;
    }
  }

  /** The first port of the kernel's ephemeral range; Linux's default where it cannot be read. */
  private static int ephemeralLow() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      return Math.max(LOWEST + 1_000, Integer.parseInt(range.split("\\s+")[0]));
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }
}
