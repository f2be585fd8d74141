package dev.groupcache.jcache.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.groupcache.ByteView;
import dev.groupcache.PeerAddress;
import dev.groupcache.PeerHandler;
import dev.groupcache.jcache.proto.HandedEntry;
import dev.groupcache.jcache.proto.Handoff;
import dev.groupcache.jcache.proto.NodeRequest;
import dev.groupcache.jcache.proto.NodeResponse;
import dev.groupcache.jcache.proto.OwnerRequest;
import dev.groupcache.jcache.proto.OwnerResponse;
import dev.groupcache.jcache.proto.Read;
import dev.groupcache.jcache.proto.Write;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An owner's change whose backup goes unanswered, over real gRPC: its backup member holds the
 * request unanswered, as a call looks to an owner that was paused past its deadline. With no
 * member acting for the owner meanwhile the change is acknowledged with one copy fewer; once a
 * member says it acted, or hands entries back, it is refused, since what that member hands back may
 * have replaced it (a paused owner's acknowledged write was lost this way, found by the chaos test).
 */
class UnansweredBackupTest {
  private static final String CACHE = CacheIds.of(URI.create("urn:test-manager"), "unanswered");
  /** How long a backup may go unanswered: short, so that each test waits it out once. */
  private static final Duration BACKUP_TIMEOUT = Duration.ofMillis(300);

  private final Member.Started started = new Member.Started();
  private final AtomicLong skew = new AtomicLong();
  /** The backup member holds backups unanswered. */
  private final AtomicBoolean holdBackups = new AtomicBoolean();
  /** Counted down by each backup held: the owner has sent it, so its change is applied there. */
  private final CountDownLatch backupHeld = new CountDownLatch(1);
  /** The backup member says, once, that it acts for the owner. */
  private final AtomicBoolean sayActing = new AtomicBoolean();
  private Member owner;
  private Member backup;
  private ByteView key;

  @AfterEach
  void stop() throws Exception {
    started.close();
  }

  /** The backup member's service as the owner meets it: a backup held unanswered, an acting answered. */
  private PeerHandler scripted(PeerHandler service) {
    return new PeerHandler() {
      @Override
      public CompletableFuture<ByteView> handle(ByteView key, ByteView request) {
        return handle(null, key, request);
      }

      @Override
      public CompletableFuture<ByteView> handle(PeerAddress sender, ByteView key, ByteView request) {
        NodeRequest.OpCase op = key != null ? null : opOf(request);
        if (op == NodeRequest.OpCase.BACKUP && holdBackups.get()) {
          backupHeld.countDown();
          return new CompletableFuture<>(); // never answered: the call times out
        }
        if (op == NodeRequest.OpCase.OWNERSHIP && sayActing.getAndSet(false)) {
          return CompletableFuture.completedFuture(ByteView.of(NodeResponse.newBuilder().setFenced(true).build()));
        }
        return service.handle(sender, key, request);
      }
    };
  }

  private static NodeRequest.OpCase opOf(ByteView request) {
    try {
      return NodeRequest.parseFrom(request.asReadOnlyBuffer()).getOpCase();
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }

  private void startTwo() throws Exception {
    owner = started.start(CACHE, 1, () -> System.nanoTime() + skew.get(), BACKUP_TIMEOUT, s -> s);
    backup = started.start(CACHE, 1, System::nanoTime, BACKUP_TIMEOUT, this::scripted);
    List<String> ring = List.of(owner.address(), backup.address());
    owner.node().setPeers(ring);
    backup.node().setPeers(ring);
    for (int i = 0; ; i++) {
      key = ByteView.of("k" + i);
      if (owner.node().ownerOf(key).equals(owner.node().self())) {
        break;
      }
    }
    assertTrue(owner.service().answer(key, write("first")).get(30, TimeUnit.SECONDS).getApplied());
  }

  private static OwnerRequest write(String value) {
    return OwnerRequest.newBuilder().setCache(CACHE).setWrite(Write.newBuilder()
        .setValue(ByteString.copyFromUtf8(value))).build();
  }

  private String read() throws Exception {
    OwnerResponse r = owner.service().answer(key, OwnerRequest.newBuilder().setCache(CACHE)
        .setRead(Read.getDefaultInstance()).build()).get(30, TimeUnit.SECONDS);
    return r.getPresent() ? r.getValue().toStringUtf8() : null;
  }

  @Test
  void aChangeWhoseBackupGoesUnansweredWithNoMemberActingIsAcknowledged() throws Exception {
    startTwo();
    holdBackups.set(true);
    OwnerResponse r = owner.service().answer(key, write("second")).get(30, TimeUnit.SECONDS);

    assertTrue(r.getApplied());
    assertEquals("second", read());
    assertEquals(1, owner.service().backupsSkipped(), "acknowledged with one copy fewer, counted");
    assertEquals(0, owner.service().backupsUnconfirmed());
  }

  @Test
  void aChangeWhoseBackupGoesUnansweredWhileAMemberHandsBackIsRefusedAndTheHandedEntryStands()
      throws Exception {
    startTwo();
    long firstVersion = owner.service().answer(key, OwnerRequest.newBuilder().setCache(CACHE)
        .setRead(Read.getDefaultInstance()).build()).get(30, TimeUnit.SECONDS).getVersion();
    holdBackups.set(true);
    CompletableFuture<OwnerResponse> second = owner.service().answer(key, write("second"));
    assertTrue(backupHeld.await(30, TimeUnit.SECONDS), "the owner sent no backup");

    // while the backup is unanswered, the member hands back what it did acting for the owner, under
    // the version the owner gave "second": the two number their changes independently
    NodeRequest handBack = NodeRequest.newBuilder().setCache(CACHE).setHandoff(Handoff.newBuilder().setReplace(true)
        .addEntries(HandedEntry.newBuilder().setKey(ByteString.copyFrom(key.toByteArray()))
            .setValue(ByteString.copyFromUtf8("written acting")).setVersion(firstVersion + 1).setRemainingMillis(-1)))
        .build();
    backup.node().call(owner.node().self(), CacheService.NAME, ByteView.of(handBack), Duration.ofSeconds(30))
        .get(30, TimeUnit.SECONDS);

    ExecutionException refused = assertThrows(ExecutionException.class, () -> second.get(30, TimeUnit.SECONDS));
    assertTrue(refused.getCause().getMessage().contains("acted for this node"), refused.getCause().getMessage());
    assertEquals("written acting", read(), "what the acting member handed back stands");
    assertEquals(1, owner.service().backupsUnconfirmed());
  }

  @Test
  void aChangeWhoseBackupGoesUnansweredAcrossALapseWhileAMemberActedIsRefusedAndUndone() throws Exception {
    startTwo();
    holdBackups.set(true);
    CompletableFuture<OwnerResponse> second = owner.service().answer(key, write("second"));
    assertTrue(backupHeld.await(30, TimeUnit.SECONDS), "the owner sent no backup");
    // as if the owner was paused for 10 s with the backup on its way, and the member acted meanwhile
    sayActing.set(true);
    skew.addAndGet(Duration.ofSeconds(10).toNanos());

    ExecutionException refused = assertThrows(ExecutionException.class, () -> second.get(30, TimeUnit.SECONDS));
    assertTrue(refused.getCause().getMessage().contains("acted for this node"), refused.getCause().getMessage());
    holdBackups.set(false);
    assertEquals("first", read(), "the refused change is undone");
    assertEquals(1, owner.service().backupsUnconfirmed());
    assertEquals(0, owner.service().backupsSkipped());
  }
}
