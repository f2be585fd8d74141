package dev.groupcache.recipes.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.testing.ChildJvm;
import dev.groupcache.testing.FreePorts;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.h2.tools.Server;
import org.hibernate.SessionFactory;

/**
 * An H2 server with the library's schema, and JVMs running {@link LibraryNodeMain} on it, members
 * of one groupcache ring with static discovery on 127.0.0.1, each ready to write keys of every
 * owner.
 */
final class LibraryCluster implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(60);
  private static final Path LOGS = Path.of("target", "library-node-logs");

  private final Server database;
  private final List<ChildJvm> nodes = new ArrayList<>();

  /** Starts the database and {@code size} members whose allowlist is {@code allowlist}. */
  LibraryCluster(String name, int size, String allowlist) {
    try {
      database = Server.createTcpServer("-tcpPort", String.valueOf(FreePorts.take()), "-ifNotExists").start();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot start the H2 server", e);
    }
    try {
      String url = "jdbc:h2:tcp://127.0.0.1:" + database.getPort() + "/mem:library;DB_CLOSE_DELAY=-1";
      try (SessionFactory schema = Library.open(url, false, true)) {
        assertTrue(schema.isOpen());
      }
      List<String> peers = new ArrayList<>();
      for (int port : FreePorts.take(size)) {
        peers.add("127.0.0.1:" + port);
      }
      for (String self : peers) {
        nodes.add(ChildJvm.start(name + "-" + nodes.size(), null, List.of(
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Dgroupcache.discovery=static",
                "-Dgroupcache.static.peers=" + String.join(",", peers),
                "-Dgroupcache.self=" + self,
                "-Dgroupcache.port=" + self.substring(self.indexOf(':') + 1),
                "-Dgroupcache.bind-host=127.0.0.1",
                "-Dgroupcache.handover-timeout=0", // all stop together: no one to hand over to
                "-Dgroupcache.serialization.allowlist=" + allowlist),
            LibraryNodeMain.class.getName(), List.of(url), LOGS));
      }
      for (ChildJvm node : nodes) {
        assertEquals("ready", node.await("ready", WAIT));
      }
      for (int i = 0; i < size; i++) {
        awaitProbe(i);
      }
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  /** Member {@code i}'s answer to {@code command}, whatever it is. */
  String call(int i, String command) {
    return nodes.get(i).call(command, WAIT);
  }

  private void awaitProbe(int i) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    String answer;
    while (!(answer = call(i, "probe")).equals("ok")) {
      assertTrue(System.nanoTime() - deadline < 0, "member " + i + " cannot write every owner's keys: " + answer);
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * Stops the members as an application stops (shutdown hooks run; one that does not stop in
   * time is killed), then the database.
   */
  @Override
  public void close() {
    nodes.forEach(node -> node.terminate(Duration.ofSeconds(15)));
    nodes.forEach(ChildJvm::close);
    database.stop();
  }
}
