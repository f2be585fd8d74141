package dev.groupcache.jcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.jcache.security.TestPki;
import dev.groupcache.jcache.security.TestTlsClients;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member's certificate and key rotate as cert-manager rotates them, by the kubelet rewriting the
 * mounted Secret, while another member reads from it without pause: the new certificate is served
 * to new connections after the refresh, and not one read fails.
 */
class TlsRotationTest {
  private static final Pattern GETS = Pattern.compile("gets (\\d+) wrong (\\d+) failed (\\d+) (\\S+).*");

  @TempDir
  Path dir;

  @Test
  void aRotatedCertificateIsServedAndNoReadFails() throws Exception {
    TestPki ca = TestPki.create("shop-ca");
    TestPki.Issued first = ca.issue("orders", List.of(TestPki.MEMBER_ID));
    TestPki.Issued second = ca.issue("orders", List.of(TestPki.MEMBER_ID));
    first.writeSecret(dir.resolve("member-0"));
    first.writeSecret(dir.resolve("member-1"));
    try (CacheCluster cluster = new CacheCluster(2, i -> {
      List<String> options = new ArrayList<>(TestPki.Issued.options(dir.resolve("member-" + i)));
      options.add("-Dgroupcache.tls.peer-identity=" + TestPki.MEMBER_PATTERN);
      options.add("-Dgroupcache.tls.refresh=1s");
      options.add("-Dgroupcache.caches.c.near-ttl=0"); // every get crosses the link to the owner
      return options;
    }, true)) {
      String key = cluster.keyOwnedBy(0, "rotating-");
      assertEquals("ok", cluster.call(1, "put " + key + " v"));
      assertEquals(first.serial(), TestTlsClients.servedSerial(cluster.address(0), first));

      assertEquals("started", cluster.call(1, "gets-start " + key + " 100000 120000"));
      second.writeSecret(dir.resolve("member-0"));
      long deadline = System.nanoTime() + CacheCluster.WAIT.toNanos();
      BigInteger served;
      while (!(served = TestTlsClients.servedSerial(cluster.address(0), first)).equals(second.serial())
          && System.nanoTime() - deadline < 0) {
        Thread.sleep(100);
      }
      assertEquals(second.serial(), served, "member 0 still serves its old certificate");
      assertEquals("value v", cluster.call(1, "get " + key));
      String gets = cluster.call(1, "gets-stop");
      Matcher m = GETS.matcher(gets);
      assertTrue(m.matches(), gets);
      assertEquals("stopped", m.group(4), "the loop ran out before the rotation was seen: " + gets);
      assertTrue(Long.parseLong(m.group(1)) > 0, gets);
      assertEquals("0 0", m.group(2) + " " + m.group(3), "reads failed or were wrong across the rotation: " + gets);
      assertNotEquals(first.serial(), second.serial());
    }
  }
}
