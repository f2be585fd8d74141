package dev.groupcache;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * A consistent-hash ring with virtual nodes: names the one peer that owns each key.
 *
 * <p>Each peer is placed at {@code vnodes} points: for {@code i} in {@code [0, vnodes)}, the XXH64
 * of the UTF-8 bytes of {@code "<peer>#<i>"} with its low 20 bits replaced by the peer's index in
 * the sorted peer list. A key belongs to the first point, in signed order, at or after the XXH64 of
 * the key, wrapping around to the first point. The ring depends only on the
 * set of peers (not on the order they were given in) and on fixed hash functions, so every JVM that
 * is told the same peers builds the same ring.
 *
 * <p>With many virtual nodes per peer the arcs even out: a peer's share deviates from the mean by
 * about {@code 1/sqrt(vnodes)}. Adding a peer moves only the keys that land on its new points.
 *
 * <p>{@link #version()} fingerprints the membership. Nodes send it with each request so that a
 * disagreement about membership (skew) is seen and counted.
 *
 * <p>Immutable; a new membership is a new ring.
 */
final class Ring {
  /** Enough for a max/mean share of about 1.03 with three peers; 32 KiB of points per peer. */
  static final int DEFAULT_VNODES = 4096;

  /** Low bits of a point hold its peer's index; the high bits are the point's hash. */
  private static final int INDEX_BITS = 20;
  private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;

  private static final Ring EMPTY = new Ring(new PeerAddress[0], new long[0], 0);

  private final PeerAddress[] peers;
  private final long[] points;
  /**
   * For each of 2^k equal slices of the hash space, in signed order, the index of the first point
   * at or after the slice's start: a lookup reads one slot and then a point or two, where a binary
   * search over tens of thousands of points would miss the CPU's caches a few times per key.
   */
  private final int[] firstInSlice;
  private final int sliceShift;
  private final long version;

  private Ring(PeerAddress[] peers, long[] points, long version) {
    this.peers = peers;
    this.points = points;
    this.version = version;
    // at least as many slices as points (and two), so a slice holds about one point
    int slices = Math.max(2, Integer.highestOneBit(Math.max(1, points.length - 1)) << 1);
    this.sliceShift = 64 - Integer.numberOfTrailingZeros(slices);
    this.firstInSlice = new int[slices];
    int i = 0;
    for (int s = 0; s < slices; s++) {
      long start = ((long) s << sliceShift) ^ Long.MIN_VALUE;
      while (i < points.length && points[i] < start) {
        i++;
      }
      firstInSlice[s] = i;
    }
  }

  static Ring empty() {
    return EMPTY;
  }

  static Ring of(Collection<PeerAddress> members, int vnodes) {
    if (vnodes < 1) {
      throw new IllegalArgumentException("vnodes must be positive: " + vnodes);
    }
    PeerAddress[] peers = new TreeSet<>(members).toArray(new PeerAddress[0]);
    if (peers.length == 0) {
      return EMPTY;
    }
    if (peers.length > INDEX_MASK) {
      throw new IllegalArgumentException("too many peers: " + peers.length);
    }
    // A point is its hash with the low bits replaced by the peer's index: one primitive sort orders
    // the points and breaks ties by peer, and the owner is read back from the point itself.
    long[] points = new long[peers.length * vnodes];
    for (int p = 0; p < peers.length; p++) {
      String prefix = peers[p] + "#";
      for (int i = 0; i < vnodes; i++) {
        long h = Hashing.xxh64((prefix + i).getBytes(StandardCharsets.UTF_8));
        points[p * vnodes + i] = (h & ~INDEX_MASK) | p;
      }
    }
    Arrays.sort(points);
    StringBuilder fingerprint = new StringBuilder().append(vnodes);
    for (PeerAddress p : peers) {
      fingerprint.append('\n').append(p);
    }
    long version = Hashing.xxh64(fingerprint.toString().getBytes(StandardCharsets.UTF_8));
    return new Ring(peers, points, version);
  }

  /** The owner of {@code key}, or null if the ring is empty. */
  PeerAddress owner(ByteView key) {
    return ownerOfHash(hash(key));
  }

  PeerAddress ownerOfHash(long h) {
    if (points.length == 0) {
      return null;
    }
    int i = firstAtOrAfter(h);
    return peers[(int) (points[i == points.length ? 0 : i] & INDEX_MASK)];
  }

  /** The index of the first point at or after {@code h}; {@code points.length} if there is none. */
  private int firstAtOrAfter(long h) {
    int i = firstInSlice[(int) ((h ^ Long.MIN_VALUE) >>> sliceShift)];
    while (i < points.length && points[i] < h) {
      i++;
    }
    return i;
  }

  /**
   * The first {@code n} distinct peers at or after the key's point, owner first: where its copies
   * go when a key is kept on more than one peer. Fewer if the ring has fewer peers.
   */
  List<PeerAddress> replicas(ByteView key, int n) {
    if (points.length == 0 || n <= 0) {
      return List.of();
    }
    int want = Math.min(n, peers.length);
    int i = firstAtOrAfter(hash(key));
    PeerAddress[] found = new PeerAddress[want];
    int count = 0;
    for (int step = 0; step < points.length && count < want; step++) {
      PeerAddress p = peers[(int) (points[(i + step) % points.length] & INDEX_MASK)];
      boolean seen = false;
      for (int j = 0; j < count && !seen; j++) {
        seen = found[j] == p;
      }
      if (!seen) {
        found[count++] = p;
      }
    }
    return List.of(found);
  }

  static long hash(ByteView key) {
    return Hashing.xxh64(key.array());
  }

  /** The peers, sorted. */
  List<PeerAddress> peers() {
    return List.of(peers);
  }

  /** A fingerprint of the membership: equal on two nodes exactly when their peers are equal. */
  long version() {
    return version;
  }

  @Override
  public String toString() {
    return "Ring" + Arrays.toString(peers) + "@" + Long.toHexString(version);
  }
}
