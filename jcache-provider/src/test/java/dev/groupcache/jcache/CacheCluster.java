package dev.groupcache.jcache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.groupcache.Node;
import dev.groupcache.jcache.codec.Codecs;
import dev.groupcache.testing.ChildJvm;
import dev.groupcache.testing.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * JVMs running {@link CacheNodeMain} with static discovery on loopback, each a member of one ring,
 * and this JVM's copy of that ring to tell which member owns a key.
 */
final class CacheCluster implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(60);
  private static final Path LOGS = Path.of("target", "cache-node-logs");
  private static final AtomicInteger CLUSTERS = new AtomicInteger();

  /** This cluster's members' logs: a directory of its own, so that a failed test's logs outlive later tests. */
  private final Path logs = LOGS.resolve(startedBy() + "-" + CLUSTERS.incrementAndGet());

  private final List<ChildJvm> nodes = new ArrayList<>();
  private final List<String> addresses = new ArrayList<>();
  private final List<List<String>> jvmOptions = new ArrayList<>();
  private final List<Integer> starts = new ArrayList<>();
  private final Node ring;
  private final Codecs codecs;

  /** Starts {@code size} members, each with the common options and {@code options}; waits until all are ready. */
  CacheCluster(int size, List<String> options) {
    this(size, i -> options, true);
  }

  /**
   * Starts {@code size} members, member {@code i} with the common options and {@code options.apply(i)};
   * waits until all are ready and, if {@code connected}, until each finds every other available.
   */
  CacheCluster(int size, IntFunction<List<String>> options, boolean connected) {
    for (int port : FreePorts.take(size)) {
      addresses.add("127.0.0.1:" + port);
    }
    try {
      for (String address : addresses) {
        List<String> jvm = new ArrayList<>(List.of("-Xmx256m",
            "-Dgroupcache.discovery=static",
            "-Dgroupcache.static.peers=" + String.join(",", addresses),
            "-Dgroupcache.self=" + address,
            "-Dgroupcache.port=" + address.substring(address.indexOf(':') + 1),
            "-Dgroupcache.bind-host=127.0.0.1"));
        jvm.addAll(options.apply(jvmOptions.size()));
        jvmOptions.add(jvm);
        starts.add(1);
        nodes.add(launch(nodes.size()));
      }
      for (ChildJvm node : nodes) {
        assertEquals("ready", node.await("ready", WAIT));
      }
    } catch (RuntimeException | Error e) {
      nodes.forEach(ChildJvm::close);
      throw e;
    }
    ring = Node.builder().self("127.0.0.1:1").serve(false).build();
    ring.setPeers(addresses);
    codecs = Codecs.create(getClass().getClassLoader(), "", 1 << 20);
    try {
      // A cold JVM on a busy machine may answer its first pings late and be suspected for a moment.
      for (int i = 0; connected && i < size; i++) {
        awaitAvailable(i, WAIT);
      }
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  private ChildJvm launch(int i) {
    int start = starts.get(i);
    return ChildJvm.start("cache-node-" + i + (start > 1 ? "-start" + start : ""), null, jvmOptions.get(i),
        CacheNodeMain.class.getName(), List.of(), logs);
  }

  /**
   * Kills member {@code i} if it still runs and starts a new JVM in its place, at the same address
   * and with the same options; waits until it answers "ready".
   */
  void restart(int i) {
    nodes.get(i).close();
    starts.set(i, starts.get(i) + 1);
    ChildJvm node = launch(i);
    nodes.set(i, node);
    assertEquals("ready", node.await("ready", WAIT));
  }

  /** Sends a signal to member {@code i}, e.g. {@code STOP} or {@code CONT}; waits for {@code kill} to have sent it. */
  void signal(int i, String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(nodes.get(i).pid()))
          .redirectErrorStream(true).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        kill.destroyForcibly();
        throw new IllegalStateException("kill -" + signal + " of member " + i + " failed: "
            + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted signalling member " + i, e);
    }
  }

  /**
   * Waits until every other member finds member {@code i} available (see {@code available} in
   * {@link CacheNodeMain}), asking each in turn until it does, at most {@code timeout} in all.
   *
   * @throws IllegalStateException naming the members that did not, with their last answers
   */
  void awaitAvailable(int i, Duration timeout) {
    String probe = keyOwnedBy(i, "probe-");
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Integer> waiting = new ArrayList<>();
    for (int m = 0; m < nodes.size(); m++) {
      if (m != i) {
        waiting.add(m);
      }
    }
    Map<Integer, String> last = new TreeMap<>();
    while (!waiting.isEmpty()) {
      for (Iterator<Integer> it = waiting.iterator(); it.hasNext(); ) {
        int m = it.next();
        String answer = call(m, "available " + probe);
        last.put(m, answer);
        if (answer.equals("available true")) {
          it.remove();
        }
      }
      if (!waiting.isEmpty()) {
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException("members " + waiting + " did not find member " + i + " available within "
              + timeout + ": " + last);
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }
  }

  /** The number of members. */
  int size() {
    return nodes.size();
  }

  /** Where member {@code i}'s stderr, its log, is written (its first start's). */
  Path stderr(int i) {
    return logs.resolve("cache-node-" + i + ".stderr.log");
  }

  /** The simple name of the class that started this cluster: the test's. */
  private static String startedBy() {
    String name = StackWalker.getInstance().walk(frames -> frames.map(StackWalker.StackFrame::getClassName)
        .filter(n -> !n.equals(CacheCluster.class.getName())).findFirst()).orElse("cluster");
    return name.substring(name.lastIndexOf('.') + 1);
  }

  ChildJvm node(int i) {
    return nodes.get(i);
  }

  /** The member's peer address, host:port. */
  String address(int i) {
    return addresses.get(i);
  }

  /** Sends a command to a member and returns its answer. */
  String call(int node, String command) {
    return nodes.get(node).call(command, WAIT);
  }

  /** The index of the member that owns a string key. */
  int owner(String key) {
    return addresses.indexOf(ring.ownerOf(codecs.encode(key)).toString());
  }

  /** The members that hold a string key, its owner first, then its backups in order. */
  List<Integer> replicas(String key, int n) {
    return ring.replicasOf(codecs.encode(key), n).stream().map(p -> addresses.indexOf(p.toString())).toList();
  }

  /** A key owned by member {@code owner}: {@code prefix} and a number. */
  String keyOwnedBy(int owner, String prefix) {
    for (int i = 0; ; i++) {
      if (owner(prefix + i) == owner) {
        return prefix + i;
      }
    }
  }

  /** {@code value} (a string key or value of cache {@code c}) as the members' codec writes it on the wire. */
  com.google.protobuf.ByteString encode(String value) {
    return com.google.protobuf.ByteString.copyFrom(codecs.encode(value).toByteArray());
  }

  /** Requests member {@code node} has answered as an owner. */
  long ownerRequests(int node) {
    return Long.parseLong(call(node, "owner-requests"));
  }

  @Override
  public void close() {
    nodes.forEach(ChildJvm::close);
    ring.close();
  }
}
