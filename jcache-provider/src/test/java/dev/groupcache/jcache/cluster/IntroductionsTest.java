package dev.groupcache.jcache.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.ByteView;
import dev.groupcache.PeerAddress;
import dev.groupcache.jcache.expiry.Ttl;
import dev.groupcache.jcache.proto.OwnerResponse;
import dev.groupcache.jcache.proto.Read;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A member's writes to owners and backups that have not heard of its cache (they restarted, or
 * the cache is opened only where it is used): three members over real gRPC, the cache open on one
 * of them only, whose announcement never reached the others. The owner and the backup refuse the
 * unknown cache; the writer tells them and is answered.
 */
class IntroductionsTest {
  private static final String CACHE = CacheIds.of(URI.create("urn:test-manager"), "introduced");

  private final Member.Started started = new Member.Started();

  @AfterEach
  void stop() throws Exception {
    started.close();
  }

  /** A writer with the cache open, and an owner and a backup that never heard of it, in that order. */
  private List<Member> writerOwnerBackup() throws Exception {
    return writerOwnerBackup(false);
  }

  /**
   * As {@link #writerOwnerBackup()}; with {@code ownerHasEntries}, the owner keeps entries of the
   * cache already (as a member does that took them in a hand-over), and knows of it.
   */
  private List<Member> writerOwnerBackup(boolean ownerHasEntries) throws Exception {
    List<Member> m = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      m.add(started.start(null, 1));
    }
    if (ownerHasEntries) {
      m.get(1).service().store(CACHE); // alone on its ring: it tells no one
    }
    List<String> ring = m.stream().map(Member::address).toList();
    m.forEach(member -> member.node().setPeers(ring)); // no cache open anywhere yet: nothing announced
    m.get(0).service().receive(CACHE, new Member.OpenCache()); // opened, its announcement lost
    return m;
  }

  /** A key {@code owner} owns with {@code backup} as its backup. */
  private static ByteView keyOf(Member owner, Member backup) {
    for (int i = 0; ; i++) {
      ByteView key = ByteView.of("key-" + i);
      List<PeerAddress> replicas = owner.node().replicasOf(key, 2);
      if (replicas.get(0).equals(owner.node().self()) && replicas.get(1).equals(backup.node().self())) {
        return key;
      }
    }
  }

  private static OwnerClient client(Member writer) {
    return new OwnerClient(writer.node(), writer.service(), CACHE, Duration.ofSeconds(10), 0, Duration.ofSeconds(10),
        1, System::nanoTime);
  }

  @Test
  void aPutToAnOwnerAndBackupThatNeverHeardOfTheCacheIsAppliedAndBackedUp() throws Exception {
    List<Member> m = writerOwnerBackup();
    Member owner = m.get(1);
    Member backup = m.get(2);
    ByteView key = keyOf(owner, backup);

    OwnerResponse r = client(m.get(0)).put(key, ByteView.of("v1"), Ttl.UNCHANGED, Ttl.UNCHANGED, false);

    assertTrue(r.getApplied(), "applied: " + r);
    assertEquals("v1", owner.service().read(CACHE, key, Read.getDefaultInstance()).join().getValue().toStringUtf8());
    assertEquals(1, backup.service().backupEntries(), "its backup is held");
    assertEquals(1, m.get(0).service().introductions().made(), "the writer told the owner");
  }

  @Test
  void aBackupToAMemberThatNeverHeardOfTheCacheIsHeldNotSkipped() throws Exception {
    List<Member> m = writerOwnerBackup(true);
    Member owner = m.get(1);
    Member backup = m.get(2);
    ByteView key = keyOf(owner, backup);

    assertTrue(client(m.get(0)).put(key, ByteView.of("v1"), Ttl.UNCHANGED, Ttl.UNCHANGED, false).getApplied());

    assertEquals(1, backup.service().backupEntries(), "the acknowledged write has its backup");
    assertEquals(1, owner.service().introductions().made(), "the owner told the backup");
    assertEquals(0, m.get(0).service().introductions().made(), "the owner knew the cache");
  }

  @Test
  void aBatchOfWritesToAnOwnerThatNeverHeardOfTheCacheIsApplied() throws Exception {
    List<Member> m = writerOwnerBackup();
    Member owner = m.get(1);
    WriteBatch batch = client(m.get(0)).batch();
    List<Supplier<OwnerResponse>> answers = new ArrayList<>();
    List<ByteView> keys = new ArrayList<>();
    for (int i = 0; keys.size() < 20; i++) {
      ByteView key = ByteView.of("batch-" + i);
      if (owner.node().ownerOf(key).equals(owner.node().self())) {
        keys.add(key);
        answers.add(batch.put(key, ByteView.of("v" + i), Ttl.UNCHANGED, Ttl.UNCHANGED));
      }
    }
    for (Supplier<OwnerResponse> answer : answers) {
      assertTrue(answer.get().getApplied());
    }
    for (ByteView key : keys) {
      assertTrue(owner.service().read(CACHE, key, Read.getDefaultInstance()).join().getPresent());
    }
  }
}
