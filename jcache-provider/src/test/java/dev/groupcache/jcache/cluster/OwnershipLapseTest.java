package dev.groupcache.jcache.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.groupcache.ByteView;
import dev.groupcache.jcache.proto.OwnerRequest;
import dev.groupcache.jcache.proto.OwnerResponse;
import dev.groupcache.jcache.proto.Read;
import dev.groupcache.jcache.proto.Write;
import io.grpc.Status;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An owner whose ownership leases lapsed (its clock jumped, as after a pause) over real gRPC: a
 * peer's write that arrives then may have waited in its socket since before the pause, so it is
 * refused rather than applied after what acting members hand back; its own callers' are applied.
 */
class OwnershipLapseTest {
  private static final String CACHE = CacheIds.of(URI.create("urn:test-manager"), "lapse");

  private final Member.Started started = new Member.Started();

  @AfterEach
  void stop() throws Exception {
    started.close();
  }

  private static OwnerRequest write(String value) {
    return OwnerRequest.newBuilder().setCache(CACHE).setWrite(Write.newBuilder()
        .setValue(ByteString.copyFromUtf8(value))).build();
  }

  private static ByteView bytes(OwnerRequest r) {
    return ByteView.of(r);
  }

  private static ByteView ownedBy(Member m) {
    for (int i = 0; ; i++) {
      ByteView key = ByteView.of("k" + i);
      if (m.node().ownerOf(key).equals(m.node().self())) {
        return key;
      }
    }
  }

  @Test
  void aPeersWriteThatArrivesOnceOwnershipLapsedIsRefusedAndAppliesNothing() throws Exception {
    AtomicLong skew = new AtomicLong();
    Member a = started.start(CACHE, 1, () -> System.nanoTime() + skew.get());
    Member b = started.start(CACHE, 1);
    List<String> ring = List.of(a.address(), b.address());
    a.node().setPeers(ring);
    b.node().setPeers(ring);
    ByteView key = ownedBy(a);

    // just started: no lease holds yet, but nothing sent to it can predate it, so this waits and applies
    assertTrue(OwnerResponse.parseFrom(a.service().handle(b.node().self(), key, bytes(write("first")))
        .get(30, TimeUnit.SECONDS).asReadOnlyBuffer()).getApplied());

    skew.addAndGet(Duration.ofSeconds(10).toNanos()); // as after a pause of 10 s: its leases lapsed
    ExecutionException refused = assertThrows(ExecutionException.class,
        () -> a.service().handle(b.node().self(), key, bytes(write("sent before the pause, perhaps")))
            .get(30, TimeUnit.SECONDS));
    assertEquals(Status.Code.FAILED_PRECONDITION, Status.fromThrowable(refused.getCause()).getCode(),
        "a sender that still waits asks again");

    skew.addAndGet(Duration.ofSeconds(10).toNanos());
    assertTrue(a.service().answer(key, write("this node's own")).get(30, TimeUnit.SECONDS).getApplied(),
        "this node's own caller was paused with it: applied once the leases hold again");
    OwnerResponse r = a.service().answer(key, OwnerRequest.newBuilder().setCache(CACHE)
        .setRead(Read.getDefaultInstance()).build()).get(30, TimeUnit.SECONDS);
    assertEquals("this node's own", r.getValue().toStringUtf8());
  }
}
