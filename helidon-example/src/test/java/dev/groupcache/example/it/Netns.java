package dev.groupcache.example.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Hosts with their own addresses on one machine: network namespaces joined by veth pairs to a
 * bridge on the host, which holds the subnet's first address. Traffic stays on the bridge: the
 * namespaces get no default route. Needs root and {@code ip}. {@link #close()} removes everything,
 * killing whatever still runs inside, and runs at JVM exit too if a test forgets.
 */
final class Netns implements AutoCloseable {
  private final String tag;
  private final String subnet; // "10.250.N"
  private final String bridge;
  private final Map<String, String> hosts = new LinkedHashMap<>(); // namespace -> address
  private final Thread cleanup = new Thread(this::teardown, "netns-teardown");
  private boolean closed;

  private Netns(String tag, String subnet) {
    this.tag = tag;
    this.subnet = subnet;
    this.bridge = tag + "br";
  }

  /** A bridge on a /24 that no route of this machine uses yet, and {@code count} namespaces on it. */
  static Netns create(int count) {
    String tag = "gc" + (ProcessHandle.current().pid() % 10_000);
    String routes = run("ip", "-4", "route");
    int n = 250;
    while (routes.contains("10." + n + ".")) {
      n--;
    }
    Netns net = new Netns(tag, "10." + n + "." + (ProcessHandle.current().pid() % 200 + 20));
    Runtime.getRuntime().addShutdownHook(net.cleanup);
    try {
      net.teardown(); // leftovers of an earlier run that died
      net.closed = false;
      run("ip", "link", "add", net.bridge, "type", "bridge");
      run("ip", "addr", "add", net.hostAddress() + "/24", "dev", net.bridge);
      run("ip", "link", "set", net.bridge, "up");
      for (int i = 0; i < count; i++) {
        net.add(i);
      }
    } catch (RuntimeException e) {
      net.close();
      throw e;
    }
    return net;
  }

  private void add(int i) {
    char letter = (char) ('a' + i);
    String ns = tag + "-" + letter;
    String hostEnd = tag + letter + "h";
    String podEnd = tag + letter + "p";
    String address = subnet + "." + (11 + i);
    run("ip", "netns", "add", ns);
    run("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", podEnd);
    run("ip", "link", "set", podEnd, "netns", ns);
    run("ip", "link", "set", hostEnd, "master", bridge, "up");
    run("ip", "netns", "exec", ns, "ip", "addr", "add", address + "/24", "dev", podEnd);
    run("ip", "netns", "exec", ns, "ip", "link", "set", podEnd, "up");
    run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
    hosts.put(ns, address);
  }

  /** The host's address on the bridge: where the namespaces reach services of the host. */
  String hostAddress() {
    return subnet + ".1";
  }

  /** The namespaces, in order. */
  List<String> namespaces() {
    return new ArrayList<>(hosts.keySet());
  }

  String address(String namespace) {
    return hosts.get(namespace);
  }

  /** The command prefix that runs a program inside {@code namespace}. */
  List<String> exec(String namespace) {
    return List.of("ip", "netns", "exec", namespace);
  }

  @Override
  public synchronized void close() {
    teardown();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException e) {
      // already exiting: the hook runs anyway
    }
  }

  private synchronized void teardown() {
    if (closed) {
      return;
    }
    closed = true;
    for (char letter = 'a'; letter <= 'f'; letter++) {
      String ns = tag + "-" + letter;
      // a namespace lives on while a process is in it, and so do its links
      String pids = quietly("ip", "netns", "pids", ns).trim();
      if (!pids.isEmpty()) {
        for (String pid : pids.split("\\s+")) {
          ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
        }
      }
      quietly("ip", "netns", "del", ns);
      quietly("ip", "link", "del", tag + letter + "h");
    }
    quietly("ip", "link", "del", bridge);
  }

  /** Runs a command; its output, or an exception with its output if it failed. */
  static String run(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out: " + String.join(" ", command));
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + out.trim());
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
    }
  }

  /** As {@link #run}, for clean-up: a failure is "" (the thing to remove was not there). */
  private static String quietly(String... command) {
    try {
      return run(command);
    } catch (RuntimeException e) {
      return "";
    }
  }
}
