package dev.groupcache.jcache.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import com.google.protobuf.ByteString;
import dev.groupcache.ByteView;
import dev.groupcache.Node;
import dev.groupcache.PeerAddress;
import dev.groupcache.jcache.proto.OwnerResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Near copies against the invalidations that race them, interleaved deterministically: a drop or
 * a clear made to land exactly between a read's check for drops and the keeping of its copy.
 */
class NearCopyRaceTest {
  private static final Duration BOUND = Duration.ofSeconds(20);

  private Node node;
  private OwnerClient client;
  private NearCopies near;
  private HeldLease held;
  private ByteView key;

  @BeforeEach
  void setUp() {
    node = Node.builder().self("127.0.0.1:1").serve(false).build();
    node.setPeers(List.of("127.0.0.1:1", "127.0.0.1:2"));
    client = new OwnerClient(node, null, "c", Duration.ofSeconds(5), 1 << 20, Duration.ofSeconds(60), 0,
        Ticker.systemTicker());
    near = client.nearCopies();
    held = HeldLease.from(PeerAddress.parse("127.0.0.1:2"), Ticker.systemTicker());
    for (int i = 0; ; i++) {
      ByteView k = ByteView.of("k" + i);
      if (!client.ownsHere(k)) {
        key = k;
        break;
      }
    }
  }

  @AfterEach
  void tearDown() {
    node.close();
  }

  private static OwnerResponse present(String value) {
    return OwnerResponse.newBuilder().setPresent(true).setValue(ByteString.copyFromUtf8(value)).setVersion(1)
        .setRemainingMillis(-1).build();
  }

  /** Keeps what a read sent now when the counter stood at {@code before} returned. */
  private void keep(OwnerResponse r, long before) {
    near.keep(key, r, before, Ticker.systemTicker().read(), held.lease(), held.term());
  }

  private String copy() {
    ByteView v = client.localValue(key);
    return v == null ? null : v.toStringUtf8();
  }

  @Test
  void aCopyReadWithNoChangeSinceIsKept() {
    long before = near.beginRead();
    keep(present("v1"), before);
    assertEquals("v1", copy());
  }

  @Test
  void aCopyReadBeforeADropIsNotKept() {
    long before = near.beginRead();
    near.drop(key); // the invalidation arrives while the read is in flight
    keep(present("old"), before);
    assertNull(copy());
  }

  @Test
  void aDropLandingBetweenTheCheckAndTheKeepIsNotUndone() throws Exception {
    long before = near.beginRead();
    Thread[] dropper = new Thread[1];
    near.keepHook(k -> dropper[0] = landBetween(() -> near.drop(k)));
    keep(present("old"), before);
    dropper[0].join(BOUND.toMillis());
    assertEquals(Thread.State.TERMINATED, dropper[0].getState());
    assertNull(copy(), "the drop was acknowledged, yet the copy it dropped is served");
  }

  @Test
  void aClearLandingBetweenTheCheckAndTheKeepIsNotUndone() throws Exception {
    long before = near.beginRead();
    Thread[] clearer = new Thread[1];
    near.keepHook(k -> clearer[0] = landBetween(near::dropAll));
    keep(present("old"), before);
    clearer[0].join(BOUND.toMillis());
    assertEquals(Thread.State.TERMINATED, clearer[0].getState());
    assertNull(copy(), "the clear was acknowledged, yet a copy read before it is served");
  }

  @Test
  void aCopyReadAfterAClearIsServed() {
    near.dropAll();
    long before = near.beginRead();
    keep(present("v2"), before);
    assertEquals("v2", copy());
  }

  /**
   * Runs an invalidation on another thread while the read is between its check and its keeping,
   * and lets the read go on once the invalidation has either finished or is waiting for the read:
   * whichever the code allows. No sleeps: the thread's state says which.
   */
  private static Thread landBetween(Runnable invalidation) {
    Thread t = new Thread(invalidation, "invalidation");
    t.start();
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (true) {
      Thread.State s = t.getState();
      if (s == Thread.State.TERMINATED || s == Thread.State.BLOCKED || s == Thread.State.WAITING) {
        return t;
      }
      assertTrue(System.nanoTime() - deadline < 0, "the invalidation neither finished nor waited");
      Thread.onSpinWait();
    }
  }
}
