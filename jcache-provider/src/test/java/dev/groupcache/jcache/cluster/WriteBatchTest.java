package dev.groupcache.jcache.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.groupcache.ByteView;
import dev.groupcache.jcache.expiry.Ttl;
import dev.groupcache.jcache.proto.NodeRequest;
import dev.groupcache.jcache.proto.NodeResponse;
import dev.groupcache.jcache.proto.OwnerResponse;
import dev.groupcache.jcache.proto.Read;
import dev.groupcache.jcache.proto.Write;
import dev.groupcache.jcache.proto.Writes;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two members over real gRPC, one backup: writes begun together travel as one request per owner,
 * and their backups as one message per member, yet each key ends as a single write would leave it.
 */
class WriteBatchTest {
  private static final String CACHE = CacheIds.of(URI.create("urn:test-manager"), "bulk");
  private static final int KEYS = 200;

  private final Member.Started started = new Member.Started();

  @AfterEach
  void stop() throws Exception {
    started.close();
  }

  private Member start() throws IOException {
    return started.start(CACHE, 1);
  }

  private List<Member> twoMembers() throws IOException {
    Member a = start();
    Member b = start();
    List<String> ring = List.of(a.node().self().toString(), b.node().self().toString());
    a.node().setPeers(ring);
    b.node().setPeers(ring);
    return List.of(a, b);
  }

  private static OwnerResponse readAtOwner(List<Member> members, ByteView key) {
    String owner = members.get(0).node().ownerOf(key).toString();
    Member m = members.stream().filter(x -> x.node().self().toString().equals(owner)).findFirst().orElseThrow();
    return m.service().read(CACHE, key, Read.getDefaultInstance()).join();
  }

  @Test
  void writesBegunTogetherTravelAsOneRequestPerOwnerAndOneBackupMessagePerMember() throws Exception {
    List<Member> members = twoMembers();
    Member a = members.get(0);
    Member b = members.get(1);
    OwnerClient client = new OwnerClient(a.node(), a.service(), CACHE, Duration.ofSeconds(10), 0,
        Duration.ofSeconds(10), 1, System::nanoTime);

    WriteBatch batch = client.batch();
    List<Supplier<OwnerResponse>> answers = new ArrayList<>();
    for (int i = 0; i < KEYS; i++) {
      answers.add(batch.put(ByteView.of("k" + i), ByteView.of("v" + i), Ttl.UNCHANGED, Ttl.UNCHANGED));
    }
    for (Supplier<OwnerResponse> answer : answers) {
      OwnerResponse r = answer.get();
      assertTrue(r.getApplied());
      assertTrue(r.getVersion() != 0);
    }

    long ownedByA = 0;
    for (int i = 0; i < KEYS; i++) {
      ByteView key = ByteView.of("k" + i);
      assertEquals("v" + i, readAtOwner(members, key).getValue().toStringUtf8());
      ownedByA += a.node().ownerOf(key).equals(a.node().self()) ? 1 : 0;
    }
    assertTrue(ownedByA > 0 && ownedByA < KEYS, "both members own some of the keys");
    assertEquals(1, a.service().backupsSent(), "A's keys were backed up in one message");
    assertEquals(1, b.service().backupsSent(), "and B's, the request A sent it, in one");
    assertEquals(ownedByA, b.service().backupEntries(), "B backs up every key A owns");
    assertEquals(KEYS - ownedByA, a.service().backupEntries(), "A every key B owns");

    WriteBatch removals = client.batch();
    List<Supplier<OwnerResponse>> removed = new ArrayList<>();
    for (int i = 0; i < KEYS; i++) {
      removed.add(removals.remove(ByteView.of("k" + i)));
    }
    for (Supplier<OwnerResponse> r : removed) {
      assertTrue(r.get().getApplied());
    }
    for (int i = 0; i < KEYS; i++) {
      assertFalse(readAtOwner(members, ByteView.of("k" + i)).getPresent());
    }
    assertEquals(2, a.service().backupsSent(), "the removals too, in one message each");
  }

  @Test
  void aKeyTheReceiverDoesNotOwnIsNamedAndLeftAlone() throws Exception {
    List<Member> members = twoMembers();
    Member a = members.get(0);
    Member b = members.get(1);
    ByteView ownedByB = null;
    ByteView ownedByA = null;
    for (int i = 0; ownedByA == null || ownedByB == null; i++) {
      ByteView key = ByteView.of("k" + i);
      if (a.node().ownerOf(key).equals(b.node().self())) {
        ownedByB = ownedByB == null ? key : ownedByB;
      } else {
        ownedByA = ownedByA == null ? key : ownedByA;
      }
    }
    Write put = Write.newBuilder().setValue(ByteString.copyFromUtf8("v")).build();
    ByteView request = ByteView.of(NodeRequest.newBuilder().setCache(CACHE).setWrites(Writes.newBuilder()
        .addKeys(OwnerStore.bytes(ownedByA)).addWrites(put).addKeys(OwnerStore.bytes(ownedByB)).addWrites(put)).build());

    NodeResponse r = NodeResponse.parseFrom(b.service().handle(a.node().self(), null, request).join().asReadOnlyBuffer());

    assertEquals(List.of(0), r.getNotOwnedAtList());
    assertEquals(2, r.getWrittenCount());
    assertTrue(r.getWritten(1).getApplied());
    assertFalse(readAtOwner(members, ownedByA).getPresent(), "nothing was planted at a member that does not own it");
  }
}
