package dev.groupcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Node.callErrors: requests to a peer that failed, counted per peer by the requester. */
class PeerCallErrorsTest {
  private final List<Node> nodes = new ArrayList<>();

  @AfterEach
  void close() {
    nodes.forEach(Node::close);
  }

  @Test
  void anOwnersRefusalIsOneCallErrorAndAnAnswerIsNone() {
    List<Group> groups = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Node node = Node.builder().self("127.0.0.1").bindHost("127.0.0.1").port(0).build();
      nodes.add(node);
      groups.add(node.newGroup(GroupConfig.builder("errors").hotShare(0).build(), key -> {
        if (key.toStringUtf8().startsWith("fail")) {
          throw new IOException("backend refused");
        }
        return ByteView.of("v");
      }));
    }
    List<String> peers = nodes.stream().map(n -> n.self().toString()).toList();
    nodes.forEach(n -> n.setPeers(peers));
    PeerAddress owner = nodes.get(1).self();

    groups.get(0).get(ByteView.of(keyOwnedBy(1, "ok")));
    assertEquals(0, nodes.get(0).callErrors(owner), "an answer is no error");
    assertThrows(RuntimeException.class, () -> groups.get(0).get(ByteView.of(keyOwnedBy(1, "fail"))));
    assertEquals(1, nodes.get(0).callErrors(owner), "the owner's refusal");
    assertEquals(0, nodes.get(1).callErrors(nodes.get(0).self()));
  }

  private String keyOwnedBy(int owner, String prefix) {
    for (int i = 0; ; i++) {
      String key = prefix + i;
      if (nodes.get(0).ownerOf(ByteView.of(key)).equals(nodes.get(owner).self())) {
        return key;
      }
    }
  }
}
