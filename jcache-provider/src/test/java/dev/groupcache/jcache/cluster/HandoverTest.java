package dev.groupcache.jcache.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.groupcache.ByteView;
import dev.groupcache.jcache.proto.OwnerRequest;
import dev.groupcache.jcache.proto.OwnerResponse;
import dev.groupcache.jcache.proto.Read;
import dev.groupcache.jcache.proto.Write;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes over real gRPC: when the ring changes, entries go to their new owners with their
 * versions, and the node they left forgets them; a node taken off the ring gives away all it has.
 */
class HandoverTest {
  private static final String CACHE = CacheIds.of(URI.create("urn:test-manager"), "orders");
  private static final int KEYS = 300;
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final Member.Started started = new Member.Started();

  @AfterEach
  void stop() throws Exception {
    started.close();
  }

  private Member start() throws IOException {
    return started.start(CACHE, 0);
  }

  private static OwnerResponse put(Member m, ByteView key, String value) {
    return m.service().answer(key, OwnerRequest.newBuilder().setCache(CACHE)
        .setWrite(Write.newBuilder().setValue(ByteString.copyFromUtf8(value))).build()).join();
  }

  private static OwnerResponse read(Member m, ByteView key) {
    return m.service().read(CACHE, key, Read.getDefaultInstance()).join();
  }

  /** The first key {@code member} owns on its ring. */
  private static ByteView keyOwnedBy(Member member) {
    for (int i = 0; ; i++) {
      ByteView key = ByteView.of("key-" + i);
      if (member.node().ownerOf(key).equals(member.node().self())) {
        return key;
      }
    }
  }

  private static Member owner(List<Member> members, ByteView key) {
    String owner = members.get(0).node().ownerOf(key).toString();
    return members.stream().filter(m -> m.address().equals(owner)).findFirst().orElseThrow();
  }

  @Test
  void entriesFollowTheirKeysToANewMemberAndAwayFromALeavingOne() throws Exception {
    Member a = start();
    Member b = start();
    a.node().setPeers(List.of(a.address()));
    b.node().setPeers(List.of(a.address()));
    Map<ByteView, OwnerResponse> written = new HashMap<>();
    for (int i = 0; i < KEYS; i++) {
      ByteView key = ByteView.of("key-" + i);
      written.put(key, put(a, key, "value-" + i));
    }

    // b joins: its share moves to it, the rest stays, nothing is anywhere twice
    List<Member> both = List.of(a, b);
    b.node().setPeers(List.of(a.address(), b.address()));
    a.node().setPeers(List.of(a.address(), b.address()));
    assertTrue(a.service().awaitHandoff(WAIT), "a handed b its share within " + WAIT);
    int atB = 0;
    for (Map.Entry<ByteView, OwnerResponse> w : written.entrySet()) {
      Member owner = owner(both, w.getKey());
      OwnerResponse r = read(owner, w.getKey());
      assertTrue(r.getPresent(), w.getKey() + " is at its owner " + owner.address());
      assertEquals(w.getValue().getVersion(), r.getVersion(), "with the version it had");
      if (owner == b) {
        atB++;
        assertTrue(!read(a, w.getKey()).getPresent(), "a forgot " + w.getKey() + " once b took it");
      }
    }
    assertTrue(atB > KEYS / 4 && atB < KEYS * 3 / 4, "b owns about half: " + atB);
    assertEquals(atB, a.service().handedOff());
    assertEquals(KEYS - atB, a.service().store(CACHE).size());

    // a leaves (its endpoint is terminating): all it has goes to b before it stops
    a.node().setPeers(List.of(b.address()));
    b.node().setPeers(List.of(b.address()));
    assertTrue(a.service().awaitHandoff(WAIT), "a handed everything to b within " + WAIT);
    for (Map.Entry<ByteView, OwnerResponse> w : written.entrySet()) {
      OwnerResponse r = read(b, w.getKey());
      assertTrue(r.getPresent(), w.getKey() + " is at b");
      assertEquals(w.getValue().getVersion(), r.getVersion());
    }
    assertEquals(0, a.service().store(CACHE).size());
    assertEquals(KEYS, a.service().handedOff());
  }

  @Test
  void aMemberWhoseRingHasNotChangedYetGetsTheEntriesOnceItHas() throws Exception {
    Member a = start();
    Member b = start();
    a.node().setPeers(List.of(a.address()));
    b.node().setPeers(List.of(a.address())); // b has not seen itself join yet
    for (int i = 0; i < 50; i++) {
      put(a, ByteView.of("key-" + i), "v" + i);
    }
    // a sees b first: b refuses keys it does not own on its ring, and a offers them again
    a.node().setPeers(List.of(a.address(), b.address()));
    Thread.sleep(200);
    assertEquals(50, a.service().store(CACHE).size(), "nothing is forgotten while b refuses");
    b.node().setPeers(List.of(a.address(), b.address()));
    assertTrue(a.service().awaitHandoff(WAIT));
    List<Member> both = List.of(a, b);
    for (int i = 0; i < 50; i++) {
      ByteView key = ByteView.of("key-" + i);
      assertTrue(read(owner(both, key), key).getPresent(), key + " at its owner");
    }
  }

  @Test
  void aNewOwnerFetchesAnEntryTheHandOverHasNotBroughtBeforeItAnswers() throws Exception {
    Member a = start();
    Member b = start();
    a.node().setPeers(List.of(a.address()));
    b.node().setPeers(List.of(a.address()));
    Map<ByteView, OwnerResponse> written = new HashMap<>();
    for (int i = 0; i < 50; i++) {
      ByteView key = ByteView.of("key-" + i);
      written.put(key, put(a, key, "value-" + i));
    }
    a.service().close(); // a hands nothing over by itself: only b's reads bring entries
    a.node().setPeers(List.of(a.address(), b.address()));
    b.node().setPeers(List.of(a.address(), b.address()));

    List<Member> both = List.of(a, b);
    int atB = 0;
    for (Map.Entry<ByteView, OwnerResponse> w : written.entrySet()) {
      if (owner(both, w.getKey()) != b) {
        continue;
      }
      atB++;
      if (atB % 2 == 0) {
        OwnerResponse r = read(b, w.getKey());
        assertTrue(r.getPresent(), w.getKey() + " read at its new owner");
        assertEquals(w.getValue().getVersion(), r.getVersion());
      } else {
        // a write that depends on the entry sees it: the key is not absent
        OwnerResponse r = b.service().answer(w.getKey(), OwnerRequest.newBuilder().setCache(CACHE)
            .setWrite(Write.newBuilder().setCondition(dev.groupcache.jcache.proto.Condition.ABSENT)
                .setValue(ByteString.copyFromUtf8("other"))).build()).join();
        assertTrue(!r.getApplied() && r.getPresent(), "putIfAbsent of a key whose entry is at its previous owner");
      }
    }
    assertTrue(atB > 0);
    assertEquals(atB, b.service().pulled());
  }

  @Test
  void aReadOfALeavingMembersKeyWaitsForItsHandOverInsteadOfMissing() throws Exception {
    Member a = start();
    Member b = start();
    a.node().setPeers(List.of(a.address(), b.address()));
    b.node().setPeers(List.of(a.address(), b.address()));
    ByteView key = keyOwnedBy(a);
    long version = put(a, key, "kept").getVersion();

    // b sees a leave before a does: a cannot hand anything over yet, and b's read waits
    b.node().setPeers(List.of(b.address()));
    CompletableFuture<OwnerResponse> read = b.service().read(CACHE, key, Read.getDefaultInstance());
    assertFalse(read.isDone(), "the read waits for the leaving owner's entries");
    a.node().setPeers(List.of(b.address())); // now a's own ring no longer holds it: it hands over

    OwnerResponse r = read.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertTrue(r.getPresent(), "the entry arrived and the read answered with it");
    assertEquals(version, r.getVersion());
  }

  @Test
  void aReadOfAVanishedMembersKeyWaitsItsBoundThenMisses() throws Exception {
    Member a = start();
    Member b = start();
    a.node().setPeers(List.of(a.address(), b.address()));
    b.node().setPeers(List.of(a.address(), b.address()));
    ByteView key = keyOwnedBy(a);
    put(a, key, "lost");
    a.service().close(); // a never hands anything over: as if it died

    long start = System.nanoTime();
    b.node().setPeers(List.of(b.address()));
    OwnerResponse r = b.service().read(CACHE, key, Read.getDefaultInstance()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertFalse(r.getPresent(), "a miss, once the wait is over");
    assertTrue(System.nanoTime() - start >= CacheService.DEPARTED_WAIT.toNanos() * 9 / 10,
        "it waited for the hand-over that did not come");
  }
}
