package dev.groupcache.jcache.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import dev.groupcache.ByteView;
import dev.groupcache.jcache.proto.EventType;
import dev.groupcache.jcache.proto.OwnerRequest;
import dev.groupcache.jcache.proto.Write;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A member's announcement of its listeners can be lost (the owner did not have it on its ring yet,
 * or one of them was starting). Two members over real gRPC: the owner tells a member it has not
 * heard from of each change, waits for it as for synchronous listeners, and learns from its answer.
 */
class UnheardListenersTest {
  private static final String CACHE = CacheIds.of(URI.create("urn:test-manager"), "unheard");

  private final Member.Started started = new Member.Started();

  @AfterEach
  void stop() throws Exception {
    started.close();
  }

  /**
   * An owner {@code a}, which has not opened the cache, and a member {@code b} with {@code receiver}
   * on it, whose announcement {@code a} never got.
   */
  private Member[] ownerThatMissedTheAnnouncementOf(Member.OpenCache receiver) throws Exception {
    Member a = started.start(null, 0);
    Member b = started.start(null, 0);
    a.node().setPeers(List.of(a.address()));
    a.service().store(CACHE); // a owns entries of the cache; the other members it asks about listeners: none yet
    b.node().setPeers(List.of(a.address(), b.address()));
    b.service().receive(CACHE, receiver); // and its announcement is lost: it never reaches a
    a.node().setPeers(List.of(a.address(), b.address())); // a has no cache open: it announces nothing
    return new Member[] {a, b};
  }

  private static ByteView keyOwnedBy(Member member) {
    for (int i = 0; ; i++) {
      ByteView key = ByteView.of("key-" + i);
      if (member.node().ownerOf(key).equals(member.node().self())) {
        return key;
      }
    }
  }

  private static void put(Member owner, ByteView key, String value) {
    owner.service().answer(key, OwnerRequest.newBuilder().setCache(CACHE)
        .setWrite(Write.newBuilder().setValue(ByteString.copyFromUtf8(value))).build()).join();
  }

  @Test
  void aListenerWhoseAnnouncementWasLostHearsEveryChangeBeforeItIsAnswered() throws Exception {
    Member.OpenCache listeners = new Member.OpenCache(CacheService.Listening.SYNCHRONOUS);
    Member[] m = ownerThatMissedTheAnnouncementOf(listeners);
    Member a = m[0];
    ByteView key = keyOwnedBy(a);

    put(a, key, "v1");
    assertEquals(List.of(EventType.CREATED), listeners.heard, "heard before the put was answered");
    assertEquals(1, a.service().unheardEvents());

    put(a, key, "v2"); // a learned from b's answer that it listens
    assertEquals(List.of(EventType.CREATED, EventType.UPDATED), listeners.heard);
    assertEquals(1, a.service().unheardEvents(), "b is heard now");
  }

  @Test
  void aRegistrationOfListenersReturnsOnlyOnceTheOwnersTookItsAnnouncement() throws Exception {
    Member a = started.start(null, 0);
    Member b = started.start(null, 0, Duration.ofSeconds(60)); // long enough for any busy machine
    a.node().setPeers(List.of(a.address()));
    a.service().store(CACHE);
    b.node().setPeers(List.of(a.address(), b.address()));
    Member.OpenCache listeners = new Member.OpenCache(CacheService.Listening.SYNCHRONOUS);
    b.service().receive(CACHE, listeners);
    ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
    try {
      // a refuses b's announcements until b is on its ring
      later.schedule(() -> a.node().setPeers(List.of(a.address(), b.address())), 200, TimeUnit.MILLISECONDS);
      b.service().listenersChanged(CACHE);
    } finally {
      later.shutdownNow();
    }
    assertEquals(2, a.node().peers().size(), "the registration returned after a had b on its ring");

    put(a, keyOwnedBy(a), "v1");
    assertEquals(List.of(EventType.CREATED), listeners.heard);
    assertEquals(0, a.service().unheardEvents(), "a heard b's announcement");
  }

  @Test
  void aMemberWithoutListenersCostsOneEventAndAgainAfterItWasSuspected() throws Exception {
    Member[] m = ownerThatMissedTheAnnouncementOf(new Member.OpenCache(CacheService.Listening.NONE));
    Member a = m[0];
    Member b = m[1];
    ByteView key = keyOwnedBy(a);

    put(a, key, "v1");
    assertEquals(1, a.service().unheardEvents());
    long sent = a.service().drops();

    put(a, key, "v2");
    put(a, key, "v3");
    assertEquals(sent, a.service().drops(), "b said it has no listeners: nothing more is sent to it");

    a.service().peerBack(b.node().self()); // b answers again after being suspected: it may have restarted
    put(a, key, "v4");
    assertEquals(2, a.service().unheardEvents());
  }
}
