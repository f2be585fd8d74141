package dev.groupcache.jcache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.groupcache.Node;
import dev.groupcache.jcache.codec.Codecs;
import dev.groupcache.testing.ChildJvm;
import dev.groupcache.testing.FreePorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * JVMs running {@link CacheNodeMain} with static discovery on loopback, each a member of one ring,
 * and this JVM's copy of that ring to tell which member owns a key.
 */
final class CacheCluster implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(60);

  private final List<ChildJvm> nodes = new ArrayList<>();
  private final List<String> addresses = new ArrayList<>();
  private final Node ring;
  private final Codecs codecs;

  /** Starts {@code size} members, each with the common options and {@code options}; waits until all are ready. */
  CacheCluster(int size, List<String> options) {
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
        jvm.addAll(options);
        nodes.add(ChildJvm.start("cache-node-" + nodes.size(), null, jvm,
            CacheNodeMain.class.getName(), List.of(), Path.of("target", "cache-node-logs")));
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

  /** A key owned by member {@code owner}: {@code prefix} and a number. */
  String keyOwnedBy(int owner, String prefix) {
    for (int i = 0; ; i++) {
      if (owner(prefix + i) == owner) {
        return prefix + i;
      }
    }
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
