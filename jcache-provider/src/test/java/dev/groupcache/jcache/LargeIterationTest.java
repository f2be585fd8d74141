package dev.groupcache.jcache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code iterator()} and {@code removeAll()} over caches whose pages of entries would not fit in
 * one message, on three JVMs; the links they use keep serving afterwards.
 */
class LargeIterationTest {
  private static CacheCluster cluster;

  @BeforeAll
  static void start() {
    cluster = new CacheCluster(3, List.of("-Xmx512m", "-Dgroupcache.caches.c.max-bytes=256MiB",
        "-Dgroupcache.peer-timeout=30s", "-Dgroupcache.invalidation-timeout=30s"));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aThousandEntriesOf12KiB() {
    iterateAndRemoveAll("small", 1_000, 12 << 10);
  }

  @Test
  void aHundredEntriesOf1MiB() {
    iterateAndRemoveAll("large", 100, 1 << 20);
  }

  @Test
  void anUpdateOfALargeValueDropsEveryCopy() {
    String key = cluster.keyOwnedBy(2, "big");
    assertEquals("ok", cluster.call(0, "put-big " + key + " first " + (1 << 20)));
    assertEquals("head first", cluster.call(1, "get-head " + key)); // member 1 keeps a near copy
    // The change event carries the old and the new value: a message larger than either.
    assertEquals("ok", cluster.call(0, "put-big " + key + " second " + (1 << 20)));
    assertEquals("head second", cluster.call(1, "get-head " + key));
    linksServe("big");
  }

  private static void iterateAndRemoveAll(String prefix, int entries, int bytes) {
    assertEquals("ok", cluster.call(2, "clear")); // whatever an earlier test left
    assertEquals("ok", cluster.call(0, "fill " + prefix + " " + entries + " " + bytes));
    for (int node = 0; node < 3; node++) {
      assertEquals(entries + " " + entries, cluster.call(node, "iterate"), "entries seen from member " + node);
    }
    linksServe(prefix);
    assertEquals("ok", cluster.call(1, "remove-all"));
    for (int node = 0; node < 3; node++) {
      assertEquals("0 0", cluster.call(node, "iterate"), "entries left, seen from member " + node);
    }
    linksServe(prefix + "-after");
  }

  /** Every member reads and writes keys that every other member owns. */
  private static void linksServe(String prefix) {
    for (int from = 0; from < 3; from++) {
      for (int owner = 0; owner < 3; owner++) {
        String key = cluster.keyOwnedBy(owner, prefix + "-link" + from + "-");
        assertEquals("ok", cluster.call(from, "put " + key + " v"));
        assertEquals("value v", cluster.call(from, "get " + key), "member " + from + " reads member " + owner);
      }
    }
  }
}
