package dev.groupcache.jcache.configuration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.jcache.security.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code groupcache.tls.*}: all three files or none, each readable; a bad value fails naming its key. */
class TlsSettingsTest {
  @TempDir
  Path dir;
  private String cert;
  private String key;
  private String ca;

  @BeforeEach
  void writeSecret() {
    TestPki.create("ca").issue("orders", List.of(TestPki.MEMBER_ID)).writeSecret(dir);
    cert = dir.resolve("tls.crt").toString();
    key = dir.resolve("tls.key").toString();
    ca = dir.resolve("ca.crt").toString();
  }

  private static Settings load(String... kv) {
    Map<String, String> map = new HashMap<>();
    map.put("groupcache.discovery", "static");
    map.put("groupcache.static.peers", "10.0.0.1:7600");
    for (int i = 0; i < kv.length; i += 2) {
      map.put(kv[i], kv[i + 1]);
    }
    return Settings.load(TlsSettingsTest.class.getClassLoader(), List.of(SettingsSource.of("test", map)), n -> null);
  }

  private static String error(String... kv) {
    return assertThrows(IllegalArgumentException.class, () -> load(kv)).getMessage();
  }

  @Test
  void offUnlessSet() {
    assertEquals(Optional.empty(), load().tls());
  }

  @Test
  void allThreeFilesTurnItOn() {
    Settings.TlsSettings tls = load("groupcache.tls.cert", cert, "groupcache.tls.key", key, "groupcache.tls.ca", ca,
        "groupcache.tls.peer-identity", TestPki.MEMBER_PATTERN).tls().orElseThrow();
    assertEquals(Path.of(cert), tls.cert());
    assertEquals(Path.of(key), tls.key());
    assertEquals(Path.of(ca), tls.ca());
    assertTrue(tls.peerIdentity().orElseThrow().matcher(TestPki.MEMBER_ID).matches());
    assertEquals(Duration.ofMinutes(1), tls.refresh());
  }

  @Test
  void aPartialSetNamesWhatIsMissing() {
    String m = error("groupcache.tls.cert", cert, "groupcache.tls.key", key);
    assertTrue(m.contains("groupcache.tls.cert = \"" + cert + "\" (from test)") && m.contains("but groupcache.tls.ca is not"), m);
    m = error("groupcache.tls.ca", ca);
    assertTrue(m.contains("but groupcache.tls.cert, groupcache.tls.key is not"), m);
  }

  @Test
  void aPeerIdentityWithoutTheFilesIsAnError() {
    String m = error("groupcache.tls.peer-identity", TestPki.MEMBER_PATTERN);
    assertTrue(m.startsWith("groupcache.tls.peer-identity = ") && m.contains("TLS is off"), m);
  }

  @ParameterizedTest
  @ValueSource(strings = {"groupcache.tls.cert", "groupcache.tls.key", "groupcache.tls.ca"})
  void aMissingFileIsNamedWithItsKey(String which) {
    String missing = dir.resolve("nowhere.pem").toString();
    Map<String, String> files = new HashMap<>(Map.of("groupcache.tls.cert", cert, "groupcache.tls.key", key,
        "groupcache.tls.ca", ca));
    files.put(which, missing);
    String m = error(files.entrySet().stream().flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue()))
        .toArray(String[]::new));
    assertEquals(which + " = \"" + missing + "\" (from test) does not exist: expected the path of a readable PEM file", m);
  }

  @Test
  void aDirectoryIsNoFile() {
    String m = error("groupcache.tls.cert", dir.toString(), "groupcache.tls.key", key, "groupcache.tls.ca", ca);
    assertTrue(m.startsWith("groupcache.tls.cert = \"" + dir + "\" (from test) is not a file"), m);
  }

  @Test
  void aBadPatternIsNamed() {
    String m = error("groupcache.tls.cert", cert, "groupcache.tls.key", key, "groupcache.tls.ca", ca,
        "groupcache.tls.peer-identity", "spiffe://(orders");
    assertTrue(m.startsWith("groupcache.tls.peer-identity = \"spiffe://(orders\" (from test) is not a regular expression"), m);
  }

  @ParameterizedTest
  @ValueSource(strings = {"500ms", "2h", "0", "soon"})
  void aRefreshOutOfRangeIsNamed(String refresh) {
    String m = error("groupcache.tls.cert", cert, "groupcache.tls.key", key, "groupcache.tls.ca", ca,
        "groupcache.tls.refresh", refresh);
    assertTrue(m.startsWith("groupcache.tls.refresh = \"" + refresh + "\" (from test)"), m);
  }
}
