package dev.groupcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RingTest {
  private static final int KEYS = 100_000;

  @Test
  void threePeersShareKeysWithinFivePercentOfTheMean() {
    // Several peer sets, not one lucky one: the bound must hold for whatever addresses pods get.
    Random random = new Random(1);
    for (int trial = 0; trial < 10; trial++) {
      List<PeerAddress> peers = randomPeers(random, 3);
      Ring ring = Ring.of(peers, Ring.DEFAULT_VNODES);
      Map<PeerAddress, Integer> owned = new HashMap<>();
      for (ByteView key : randomKeys(random)) {
        owned.merge(ring.owner(key), 1, Integer::sum);
      }
      double busiest = Collections.max(owned.values()) / (KEYS / 3.0);
      assertTrue(busiest <= 1.05, "busiest/mean = " + busiest + " for " + peers);
    }
  }

  @Test
  void aFourthPeerMovesAboutAQuarterOfTheKeysAllToItself() {
    Random random = new Random(2);
    for (int trial = 0; trial < 10; trial++) {
      List<PeerAddress> peers = randomPeers(random, 4);
      Ring three = Ring.of(peers.subList(0, 3), Ring.DEFAULT_VNODES);
      Ring four = Ring.of(peers, Ring.DEFAULT_VNODES);
      int moved = 0;
      for (ByteView key : randomKeys(random)) {
        PeerAddress before = three.owner(key);
        PeerAddress after = four.owner(key);
        if (!before.equals(after)) {
          moved++;
          assertEquals(peers.get(3), after, "a key moved between two old peers");
        }
      }
      double ratio = moved / (KEYS / 4.0);
      assertTrue(ratio <= 1.1, "moved/ideal = " + ratio + " for " + peers);
    }
  }

  @Test
  void aKeysSecondReplicaIsItsOwnerOnceItsOwnerLeaves() {
    // Backups rely on it: the member holding a key's backup is the one that owns the key when
    // its owner leaves the ring, so the entry is already where it will be asked for.
    Random random = new Random(4);
    List<PeerAddress> peers = randomPeers(random, 5);
    Ring five = Ring.of(peers, Ring.DEFAULT_VNODES);
    Map<PeerAddress, Integer> backups = new HashMap<>();
    for (ByteView key : randomKeys(random).subList(0, 20_000)) {
      List<PeerAddress> replicas = five.replicas(key, 2);
      assertEquals(2, replicas.size());
      assertEquals(five.owner(key), replicas.get(0));
      assertNotEquals(replicas.get(0), replicas.get(1));
      List<PeerAddress> rest = new ArrayList<>(peers);
      rest.remove(replicas.get(0));
      assertEquals(replicas.get(1), Ring.of(rest, Ring.DEFAULT_VNODES).owner(key));
      backups.merge(replicas.get(1), 1, Integer::sum);
    }
    assertEquals(5, backups.size(), "every member backs up some keys: " + backups);
    assertEquals(List.of(peers.get(0)), Ring.of(peers.subList(0, 1), 8).replicas(ByteView.copyOf(new byte[] {1}), 2));
  }

  @Test
  void dependsOnlyOnTheSetOfPeers() {
    List<PeerAddress> peers = randomPeers(new Random(3), 5);
    List<PeerAddress> shuffled = new ArrayList<>(peers);
    Collections.shuffle(shuffled, new Random(4));
    shuffled.add(peers.get(0)); // a duplicate changes nothing
    Ring a = Ring.of(peers, 512);
    Ring b = Ring.of(shuffled, 512);
    assertEquals(a.version(), b.version());
    for (ByteView key : randomKeys(new Random(5)).subList(0, 10_000)) {
      assertEquals(a.owner(key), b.owner(key));
    }
  }

  @Test
  void followsItsDocumentedDefinition() {
    List<PeerAddress> peers = randomPeers(new Random(7), 4);
    Ring ring = Ring.of(peers, 256);
    List<PeerAddress> sorted = new ArrayList<>(peers);
    Collections.sort(sorted);
    for (ByteView key : randomKeys(new Random(8)).subList(0, 2_000)) {
      assertEquals(naiveOwner(sorted, 256, key), ring.owner(key));
    }
  }

  @Test
  void findsTheOwnerOfEveryHashAtAndAroundItsPointsAndTheEnds() {
    // the slice index must agree with the definition where it is most easily wrong: on a point,
    // just either side of one, at the ends of the hash space, and on rings of one or few points
    for (int n = 1; n <= 4; n++) {
      List<PeerAddress> sorted = new ArrayList<>(randomPeers(new Random(10 + n), n));
      Collections.sort(sorted);
      for (int vnodes : new int[] {1, 3, 300}) {
        Ring ring = Ring.of(sorted, vnodes);
        List<Long> hashes = new ArrayList<>(List.of(Long.MIN_VALUE, Long.MIN_VALUE + 1, -1L, 0L, 1L,
            Long.MAX_VALUE - 1, Long.MAX_VALUE));
        for (int p = 0; p < n; p++) {
          for (int i = 0; i < vnodes; i++) {
            long point = (Hashing.xxh64((sorted.get(p) + "#" + i).getBytes(StandardCharsets.UTF_8)) & ~0xFFFFFL) | p;
            hashes.addAll(List.of(point - 1, point, point + 1));
          }
        }
        for (long h : hashes) {
          assertEquals(naiveOwner(sorted, vnodes, h), ring.ownerOfHash(h), n + " peers, " + vnodes + " vnodes, hash " + h);
        }
      }
    }
  }

  /** The definition in Ring's javadoc, computed the slow way. */
  private static PeerAddress naiveOwner(List<PeerAddress> sorted, int vnodes, ByteView key) {
    return naiveOwner(sorted, vnodes, Hashing.xxh64(key.toByteArray()));
  }

  private static PeerAddress naiveOwner(List<PeerAddress> sorted, int vnodes, long h) {
    long best = 0;
    long first = 0;
    PeerAddress bestPeer = null;
    PeerAddress firstPeer = null;
    for (int p = 0; p < sorted.size(); p++) {
      for (int i = 0; i < vnodes; i++) {
        long point = (Hashing.xxh64((sorted.get(p) + "#" + i).getBytes(StandardCharsets.UTF_8)) & ~0xFFFFFL) | p;
        if (point >= h && (bestPeer == null || point < best)) {
          best = point;
          bestPeer = sorted.get(p);
        }
        if (firstPeer == null || point < first) {
          first = point;
          firstPeer = sorted.get(p);
        }
      }
    }
    return bestPeer != null ? bestPeer : firstPeer;
  }

  @Test
  void staysCompatibleAcrossBuilds() {
    // Golden values: nodes of different builds must agree on owners, so a change here is a change
    // of the wire contract and must be deliberate (a new ring version scheme, noted in the README).
    Ring ring = Ring.of(List.of(PeerAddress.parse("10.0.0.1:7600"), PeerAddress.parse("10.0.0.2:7600"),
        PeerAddress.parse("[2001:db8::3]:7600")), Ring.DEFAULT_VNODES);
    StringBuilder owners = new StringBuilder();
    for (String key : List.of("a", "b", "c", "user:42", "page:/index.html", "")) {
      owners.append(ring.owner(ByteView.of(key))).append(' ');
    }
    assertEquals("[2001:db8::3]:7600 [2001:db8::3]:7600 10.0.0.1:7600 10.0.0.1:7600 "
        + "[2001:db8::3]:7600 10.0.0.2:7600 ", owners.toString());
    assertEquals(GOLDEN_VERSION, Long.toHexString(ring.version()));
  }

  private static final String GOLDEN_VERSION = "8530af24b266b619";

  @Test
  void versionChangesWithMembership() {
    List<PeerAddress> peers = randomPeers(new Random(6), 3);
    assertNotEquals(Ring.of(peers, 64).version(), Ring.of(peers.subList(0, 2), 64).version());
    assertNotEquals(Ring.of(peers, 64).version(), Ring.of(peers, 65).version());
  }

  @Test
  void emptyRingOwnsNothing() {
    assertNull(Ring.empty().owner(ByteView.of("k")));
    assertTrue(Ring.of(List.of(), 64).peers().isEmpty());
  }

  private static List<PeerAddress> randomPeers(Random random, int n) {
    List<PeerAddress> peers = new ArrayList<>();
    while (peers.size() < n) {
      PeerAddress p = PeerAddress.parse("10." + random.nextInt(256) + "." + random.nextInt(256) + "."
          + random.nextInt(256) + ":" + (1024 + random.nextInt(60_000)));
      if (!peers.contains(p)) {
        peers.add(p);
      }
    }
    return peers;
  }

  private static List<ByteView> randomKeys(Random random) {
    List<ByteView> keys = new ArrayList<>(KEYS);
    byte[] b = new byte[16];
    for (int i = 0; i < KEYS; i++) {
      random.nextBytes(b);
      keys.add(ByteView.copyOf(b));
    }
    return keys;
  }
}
