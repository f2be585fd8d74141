package dev.groupcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JFR recording shows this node's ring changes, its loads and its requests to peers, with their fields. */
class JfrEventsTest {
  private final List<Node> nodes = new ArrayList<>();

  @AfterEach
  void stop() {
    nodes.forEach(Node::close);
  }

  private Node start() {
    Node node = Node.builder().self("127.0.0.1").bindHost("127.0.0.1").port(0).build();
    nodes.add(node);
    node.newGroup("jfr", 1 << 20, key -> {
      if (key.toStringUtf8().startsWith("bad")) {
        throw new IllegalStateException("no such key");
      }
      return ByteView.of("v:" + key.toStringUtf8());
    });
    return node;
  }

  @Test
  void aRecordingShowsRingChangesLoadsAndPeerFetches(@TempDir Path dir) throws Exception {
    List<RecordedEvent> events;
    try (Recording recording = new Recording()) {
      recording.enable("dev.groupcache.Load");
      recording.enable("dev.groupcache.PeerFetch");
      recording.enable("dev.groupcache.RingChange");
      recording.start();
      Node a = start();
      Node b = start();
      List<String> peers = List.of(a.self().toString(), b.self().toString());
      a.setPeers(peers);
      b.setPeers(peers);
      String remote = null;
      for (int i = 0; remote == null; i++) {
        if (a.ownerOf(ByteView.of("k" + i)).equals(b.self())) {
          remote = "k" + i;
        }
      }
      Group group = a.group("jfr").orElseThrow();
      assertEquals("v:" + remote, group.get(ByteView.of(remote), Duration.ofSeconds(10)).toStringUtf8());
      String local = "bad-here";
      for (int i = 0; !a.ownerOf(ByteView.of(local)).equals(a.self()); i++) {
        local = "bad-" + i;
      }
      String failing = local;
      try {
        group.get(ByteView.of(failing), Duration.ofSeconds(10));
      } catch (RuntimeException expected) {
        // the loader refused it: a failed load
      }
      recording.stop();
      Path file = dir.resolve("groupcache.jfr");
      recording.dump(file);
      events = RecordingFile.readAllEvents(file);
      assertTrue(Files.size(file) > 0);
    }
    List<RecordedEvent> rings = of(events, "dev.groupcache.RingChange");
    assertTrue(rings.stream().anyMatch(e -> e.getInt("members") == 2 && e.getBoolean("includesSelf")), rings.toString());
    List<RecordedEvent> fetches = of(events, "dev.groupcache.PeerFetch");
    assertTrue(fetches.stream().anyMatch(e -> e.getString("peer").equals(nodes.get(1).self().toString())
        && !e.getBoolean("failed") && e.getDuration("roundTrip").toNanos() > 0), fetches.toString());
    List<RecordedEvent> loads = of(events, "dev.groupcache.Load");
    assertTrue(loads.stream().anyMatch(e -> e.getString("name").equals("jfr") && !e.getBoolean("failed")), loads.toString());
    assertTrue(loads.stream().anyMatch(e -> e.getBoolean("failed")), "the failed load is recorded as failed: " + loads);
    assertFalse(loads.isEmpty());
  }

  private static List<RecordedEvent> of(List<RecordedEvent> events, String name) {
    return events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
  }
}
