package dev.groupcache.jcache.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.jcache.configuration.Settings.TlsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the TLS files must hold, checked when the node starts, each error naming the key and path. */
class PeerTlsTest {
  @TempDir
  Path dir;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final TestPki ca = TestPki.create("ca");

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  private TlsSettings settings(Path cert, Path key) {
    return new TlsSettings(cert, key, dir.resolve("ca.crt"), Optional.empty(), Duration.ofMinutes(1));
  }

  private String error(Path cert, Path key) {
    return assertThrows(IllegalArgumentException.class, () -> PeerTls.start(settings(cert, key), timer)).getMessage();
  }

  @Test
  void goodFilesGiveCredentials() {
    ca.issue("orders", List.of(TestPki.MEMBER_ID)).writeSecret(dir);
    try (PeerTls tls = PeerTls.start(settings(dir.resolve("tls.crt"), dir.resolve("tls.key")), timer)) {
      assertTrue(tls.serverCredentials() != null && tls.channelCredentials() != null);
    }
  }

  @Test
  void aKeyOfAnotherCertificateIsRefused() throws Exception {
    ca.issue("orders", List.of(TestPki.MEMBER_ID)).writeSecret(dir);
    TestPki.Issued other = ca.issue("orders", List.of(TestPki.MEMBER_ID));
    Path otherKey = Files.writeString(dir.resolve("other.key"), TestPki.pem("PRIVATE KEY", other.key().getEncoded()));
    assertEquals("groupcache.tls.key = \"" + otherKey + "\" is not the key of the certificate in groupcache.tls.cert ("
        + dir.resolve("tls.crt") + ")", error(dir.resolve("tls.crt"), otherKey));
  }

  @Test
  void aPkcs1KeyIsNamedWithWhatToDo() throws Exception {
    ca.issue("orders", List.of(TestPki.MEMBER_ID)).writeSecret(dir);
    Path pkcs1 = Files.writeString(dir.resolve("rsa.key"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    String m = error(dir.resolve("tls.crt"), pkcs1);
    assertTrue(m.startsWith("groupcache.tls.key = \"" + pkcs1 + "\" holds a PKCS#1 RSA key") && m.contains("PKCS8"), m);
  }

  @Test
  void aFileWithoutACertificateIsNamed() throws Exception {
    ca.issue("orders", List.of(TestPki.MEMBER_ID)).writeSecret(dir);
    Path notPem = Files.writeString(dir.resolve("cert.txt"), "hello\n");
    String m = error(notPem, dir.resolve("tls.key"));
    assertTrue(m.startsWith("groupcache.tls.cert = \"" + notPem + "\" holds no"), m);
  }

  @Test
  void theIdentityIsAWholeMatchOfADnsOrUriName() throws Exception {
    PeerIdentity identity = new PeerIdentity(Pattern.compile(TestPki.MEMBER_PATTERN));
    X509Certificate member = ca.issue("orders", List.of("orders.shop.svc", TestPki.MEMBER_ID)).certificate();
    identity.check(new X509Certificate[] {member}, false);
    for (List<String> names : List.of(List.of("orders.shop.svc"), List.of(TestPki.MEMBER_ID + "-evil"),
        List.of("spiffe://cluster.local/ns/shop/sa/orders/x"), List.<String>of())) {
      X509Certificate other = ca.issue("orders", names).certificate();
      assertThrows(CertificateException.class, () -> identity.check(new X509Certificate[] {other}, false), names::toString);
    }
  }
}
