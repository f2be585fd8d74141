package dev.groupcache.jcache.configuration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.discovery.AddressFamily;
import dev.groupcache.discovery.DiscoveryConfig;
import dev.groupcache.discovery.DiscoveryMode;
import dev.groupcache.jcache.codec.JavaSerialization;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Parsing, defaults, per-cache keys and every error message of {@link Settings}, with the values
 * given as a stacked source named {@code test} (above whatever else the class path holds).
 */
@Timeout(10)
class SettingsTest {
  private static final Function<String, String> NO_ENV = name -> null;

  /** Loads with {@code kv} (key, value, ...) on top; static discovery unless the pairs set a mode. */
  private static Settings load(String... kv) {
    return load(NO_ENV, kv);
  }

  private static Settings load(Function<String, String> env, String... kv) {
    Map<String, String> map = new HashMap<>();
    map.put("groupcache.discovery", "static");
    map.put("groupcache.static.peers", "10.0.0.1:7600");
    for (int i = 0; i < kv.length; i += 2) {
      map.put(kv[i], kv[i + 1]);
    }
    return Settings.load(SettingsTest.class.getClassLoader(), List.of(SettingsSource.of("test", map)), env);
  }

  private static String error(String... kv) {
    return assertThrows(IllegalArgumentException.class, () -> load(kv)).getMessage();
  }

  private static String cacheError(String cache, String... kv) {
    Settings settings = load(kv);
    return assertThrows(IllegalArgumentException.class, () -> settings.cache(cache)).getMessage();
  }

  @Test
  void defaults() {
    Settings s = load();
    assertEquals(7600, s.port());
    assertEquals(Optional.empty(), s.bindHost());
    assertEquals(Optional.empty(), s.self());
    assertEquals(DiscoveryMode.STATIC, s.discovery());
    assertEquals(AddressFamily.ANY, s.addressFamily());
    assertEquals(Optional.empty(), s.kubernetesNamespace());
    assertEquals(Optional.empty(), s.dnsServer());
    assertEquals(Duration.ofSeconds(5), s.dnsInterval());
    assertEquals(Duration.ofSeconds(10), s.discoverySyncTimeout());
    assertEquals(Duration.ofMillis(100), s.discoveryDebounce());
    assertEquals(64 << 10, s.maxKeyBytes());
    assertEquals(4 << 20, s.maxValueBytes());
    assertEquals(4096, s.vnodes());
    assertEquals(1, s.ioThreads());
    assertEquals(Duration.ofSeconds(5), s.peerTimeout());
    assertTrue(s.serve());
    assertEquals(Duration.ofSeconds(2), s.invalidationTimeout());
    assertEquals(List.of(), s.serializationAllowlist());
    assertEquals(new Settings.CacheSettings("orders", 64L << 20, 0.125, Duration.ofSeconds(10),
        false, false, Duration.ofSeconds(30), 1), s.cache("orders"));
  }

  @Test
  void readsEveryNodeKey() {
    Settings s = load(
        "groupcache.port", "7700",
        "groupcache.serve", "false",
        "groupcache.bind-host", "0.0.0.0",
        "groupcache.self", "10.0.0.5:7700",
        "groupcache.discovery", "endpointslices",
        "groupcache.kubernetes.service", "orders-peers",
        "groupcache.kubernetes.namespace", "shop",
        "groupcache.kubernetes.label-selector", "app=orders",
        "groupcache.kubernetes.port-name", "groupcache",
        "groupcache.kubernetes.address-family", "IPv6",
        "groupcache.dns.name", "orders-peers.shop.svc.cluster.local",
        "groupcache.dns.server", "10.96.0.10:53",
        "groupcache.dns.interval", "2s",
        "groupcache.static.peers", " 10.0.0.1:7600 , [2001:db8::2]:7600,, ",
        "groupcache.discovery.sync-timeout", "0",
        "groupcache.discovery.debounce", "250ms",
        "groupcache.max-key-bytes", "1k",
        "groupcache.max-value-bytes", "16MiB",
        "groupcache.vnodes", "512",
        "groupcache.io-threads", "4",
        "groupcache.peer-timeout", "PT1.5S",
        "groupcache.invalidation-timeout", "1m",
        "groupcache.serialization.allowlist", "com.example.model.*, java.util.*");
    assertEquals(7700, s.port());
    assertFalse(s.serve());
    assertEquals(Optional.of("0.0.0.0"), s.bindHost());
    assertEquals(Optional.of("10.0.0.5:7700"), s.self());
    assertEquals(DiscoveryMode.ENDPOINTSLICES, s.discovery());
    assertEquals(Optional.of("orders-peers"), s.kubernetesService());
    assertEquals(Optional.of("shop"), s.kubernetesNamespace());
    assertEquals(Optional.of("app=orders"), s.kubernetesLabelSelector());
    assertEquals(Optional.of("groupcache"), s.kubernetesPortName());
    assertEquals(AddressFamily.IPV6, s.addressFamily());
    assertEquals(Optional.of("orders-peers.shop.svc.cluster.local"), s.dnsName());
    assertEquals(Optional.of("10.96.0.10:53"), s.dnsServer());
    assertEquals(Duration.ofSeconds(2), s.dnsInterval());
    assertEquals(List.of("10.0.0.1:7600", "[2001:db8::2]:7600"), s.staticPeers());
    assertEquals(Duration.ZERO, s.discoverySyncTimeout());
    assertEquals(Duration.ofMillis(250), s.discoveryDebounce());
    assertEquals(1024, s.maxKeyBytes());
    assertEquals(16 << 20, s.maxValueBytes());
    assertEquals(512, s.vnodes());
    assertEquals(4, s.ioThreads());
    assertEquals(Duration.ofMillis(1500), s.peerTimeout());
    assertEquals(Duration.ofMinutes(1), s.invalidationTimeout());
    assertEquals(List.of("com.example.model.*", "java.util.*"), s.serializationAllowlist());
    assertTrue(s.unknownKeys().isEmpty(), s.unknownKeys().toString());
  }

  @ParameterizedTest
  @CsvSource({
      "500ms, PT0.5S", "5s, PT5S", "2m, PT2M", "1h, PT1H", "PT5S, PT5S", "pt1m30s, PT1M30S",
      "0, PT0S", "' 5s ', PT5S", "5 s, PT5S", "0ms, PT0S", "P1D, PT24H"})
  void parsesDurations(String text, String iso) {
    assertEquals(Duration.parse(iso), SettingValue.parseDuration(text));
    assertEquals(Duration.parse(iso), load("groupcache.invalidation-timeout", text).invalidationTimeout());
  }

  @ParameterizedTest
  @ValueSource(strings = {"5", "5sec", "1.5s", "5S", "abc", "s", "P", "PT", "ms5", "99999999999999999999h"})
  void rejectsMalformedDurations(String text) {
    assertNull(SettingValue.parseDuration(text));
    assertEquals("groupcache.dns.interval = \"" + text.trim() + "\" (from test) is not a duration: "
        + "expected a positive duration such as 500ms, 5s, 2m, 1h or PT5S",
        error("groupcache.dns.interval", text));
  }

  @ParameterizedTest
  @CsvSource({
      "65536, 65536", "64KiB, 65536", "64kib, 65536", "64k, 65536", "64K, 65536", "16MiB, 16777216",
      "16m, 16777216", "1GiB, 1073741824", "1g, 1073741824", "0, 0", "10b, 10", "' 2 MiB ', 2097152",
      "8589934591GiB, 9223372035781033984"})
  void parsesSizes(String text, long bytes) {
    assertEquals(bytes, SettingValue.parseSize(text));
    assertEquals(bytes, load("groupcache.caches.c.max-bytes", text).cache("c").maxBytes());
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.5MiB", "64KB", "64 kilobytes", "lots", "0x10", "MiB", "1e6"})
  void rejectsMalformedSizes(String text) {
    assertEquals(-1, SettingValue.parseSize(text));
    assertEquals("groupcache.caches.orders.v2.max-bytes = \"" + text + "\" (from test) is not a size: "
        + "expected a size of at least 0, such as 65536, 64KiB, 16MiB or 1GiB",
        cacheError("orders.v2", "groupcache.caches.orders.v2.max-bytes", text));
  }

  @Test
  void rejectsSizesBeyondALong() {
    assertEquals(-1, SettingValue.parseSize("8589934592GiB")); // 2^63
    assertEquals(-1, SettingValue.parseSize("99999999999999999999"));
    assertEquals("groupcache.caches.c.max-bytes = \"8589934592GiB\" (from test) is not a size: "
        + "expected a size of at least 0, such as 65536, 64KiB, 16MiB or 1GiB",
        cacheError("c", "groupcache.caches.c.max-bytes", "8589934592GiB"));
  }

  @Test
  void formatsSizes() {
    assertEquals("16MiB", SettingValue.formatSize(16 << 20));
    assertEquals("1GiB", SettingValue.formatSize(1L << 30));
    assertEquals("3KiB", SettingValue.formatSize(3072));
    assertEquals("1000", SettingValue.formatSize(1000));
    assertEquals("0", SettingValue.formatSize(0));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "groupcache.port|80a|groupcache.port = \"80a\" (from test) is not a port: expected an integer 1-65535",
      "groupcache.port|0|groupcache.port = \"0\" (from test) is not a port: expected an integer 1-65535",
      "groupcache.port|65536|groupcache.port = \"65536\" (from test) is not a port: expected an integer 1-65535",
      "groupcache.port|99999999999|groupcache.port = \"99999999999\" (from test) is not a port: expected an integer 1-65535",
      "groupcache.discovery|consul|groupcache.discovery = \"consul\" (from test): expected one of endpointslices, pods, dns, static",
      "groupcache.kubernetes.address-family|ipv5|groupcache.kubernetes.address-family = \"ipv5\" (from test): expected one of ipv4, ipv6, any",
      "groupcache.vnodes|many|groupcache.vnodes = \"many\" (from test) is not a vnode count: expected an integer 1-65536",
      "groupcache.vnodes|0|groupcache.vnodes = \"0\" (from test) is out of range: expected an integer 1-65536",
      "groupcache.vnodes|65537|groupcache.vnodes = \"65537\" (from test) is out of range: expected an integer 1-65536",
      "groupcache.io-threads|0|groupcache.io-threads = \"0\" (from test) is out of range: expected an integer 1-64",
      "groupcache.io-threads|all|groupcache.io-threads = \"all\" (from test) is not a thread count: expected an integer 1-64",
      "groupcache.max-key-bytes|32MiB|groupcache.max-key-bytes = \"32MiB\" (from test) is out of range: expected a size from 1 to 16MiB, such as 65536, 64KiB, 16MiB or 1GiB",
      "groupcache.max-key-bytes|0|groupcache.max-key-bytes = \"0\" (from test) is out of range: expected a size from 1 to 16MiB, such as 65536, 64KiB, 16MiB or 1GiB",
      "groupcache.max-value-bytes|-1|groupcache.max-value-bytes = \"-1\" (from test) is negative: expected a size from 1 to 256MiB, such as 65536, 64KiB, 16MiB or 1GiB",
      "groupcache.max-value-bytes|4MB|groupcache.max-value-bytes = \"4MB\" (from test) is not a size: expected a size from 1 to 256MiB, such as 65536, 64KiB, 16MiB or 1GiB",
      "groupcache.dns.interval|0|groupcache.dns.interval = \"0\" (from test) is not positive: expected a positive duration such as 500ms, 5s, 2m, 1h or PT5S",
      "groupcache.peer-timeout|-5s|groupcache.peer-timeout = \"-5s\" (from test) is negative: expected a positive duration such as 500ms, 5s, 2m, 1h or PT5S",
      "groupcache.discovery.debounce|-PT1S|groupcache.discovery.debounce = \"-PT1S\" (from test) is negative: expected a duration such as 500ms, 5s, 2m, 1h, PT5S or 0",
      "groupcache.discovery.sync-timeout|soon|groupcache.discovery.sync-timeout = \"soon\" (from test) is not a duration: expected a duration such as 500ms, 5s, 2m, 1h, PT5S or 0",
      "groupcache.invalidation-timeout|PT-2S|groupcache.invalidation-timeout = \"PT-2S\" (from test) is negative: expected a duration such as 500ms, 5s, 2m, 1h, PT5S or 0",
      "groupcache.self|node-1|groupcache.self = \"node-1\" (from test) is not an address: expected host:port or [ipv6]:port",
      "groupcache.self|2001:db8::1:7600|groupcache.self = \"2001:db8::1:7600\" (from test) is not an address (an IPv6 address must be bracketed, as in [2001:db8::1]:8080): expected host:port or [ipv6]:port",
      "groupcache.self|node-1:http|groupcache.self = \"node-1:http\" (from test) is not an address (the port is not a number): expected host:port or [ipv6]:port",
      "groupcache.static.peers|10.0.0.1:7600,db|groupcache.static.peers = \"10.0.0.1:7600,db\" (from test) has \"db\", which is not an address: expected comma-separated host:port or [ipv6]:port",
      "groupcache.static.peers|10.0.0.1:0|groupcache.static.peers = \"10.0.0.1:0\" (from test) has \"10.0.0.1:0\", which is not an address (the port must be 1-65535): expected comma-separated host:port or [ipv6]:port",
      "groupcache.dns.server|2001:db8::53|groupcache.dns.server = \"2001:db8::53\" (from test) is not a DNS server (an IPv6 address must be bracketed, as in [2001:db8::1]:8080): expected host, host:port or [ipv6]:port",
      "groupcache.dns.server|10.96.0.10:dns|groupcache.dns.server = \"10.96.0.10:dns\" (from test) is not a DNS server (the port is not a number): expected host, host:port or [ipv6]:port",
      "groupcache.serialization.allowlist|com.example.*,maxdepth=5|groupcache.serialization.allowlist = \"com.example.*,maxdepth=5\" (from test) has \"maxdepth=5\", which is not a class-name pattern: expected comma-separated java.io.ObjectInputFilter class patterns and presets (hibernate, spring) such as hibernate,com.example.model.*,java.util.*",
      "groupcache.serialization.allowlist|!|groupcache.serialization.allowlist = \"!\" (from test) has \"!\", which is not a class-name pattern: expected comma-separated java.io.ObjectInputFilter class patterns and presets (hibernate, spring) such as hibernate,com.example.model.*,java.util.*",
  })
  void nodeKeyErrorsNameKeyValueOriginAndWhatIsAllowed(String key, String value, String message) {
    assertEquals(message, error(key, value));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "max-bytes|-64MiB|is negative: expected a size of at least 0, such as 65536, 64KiB, 16MiB or 1GiB",
      "hot-share|0.5|is out of range: expected a number from 0 to 0.125",
      "hot-share|-0.1|is out of range: expected a number from 0 to 0.125",
      "hot-share|1/8|is not a number: expected a number from 0 to 0.125",
      "hot-share|NaN|is not a number: expected a number from 0 to 0.125",
      "near-ttl|ten seconds|is not a duration: expected a duration such as 500ms, 5s, 2m, 1h, PT5S or 0",
      "statistics|maybe|is not a boolean: expected true or false",
      "management|2|is not a boolean: expected true or false",
      "read-through-timeout|0|is not positive: expected a positive duration such as 500ms, 5s, 2m, 1h or PT5S",
  })
  void perCacheErrorsNameTheComposedKey(String suffix, String value, String problem) {
    String key = "groupcache.caches.my-cache.v2." + suffix;
    assertEquals(key + " = \"" + value + "\" (from test) " + problem, cacheError("my-cache.v2", key, value));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "endpointslices|groupcache.kubernetes.service",
      "pods|groupcache.kubernetes.label-selector",
      "dns|groupcache.dns.name",
      "static|groupcache.static.peers",
  })
  void eachModeNamesTheKeyItNeeds(String mode, String needed) {
    assertEquals("groupcache.discovery = \"" + mode + "\" (from test) needs " + needed + ", which is not set",
        error("groupcache.discovery", mode, "groupcache.static.peers", " , "));
  }

  @Test
  void theDefaultModeNeedsAService() {
    Map<String, String> none = Map.of("groupcache.port", "7601");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Settings.load(
        SettingsTest.class.getClassLoader(), List.of(SettingsSource.of("test", none)), NO_ENV));
    assertEquals("groupcache.discovery = \"endpointslices\" (the default) needs groupcache.kubernetes.service, "
        + "which is not set", e.getMessage());
  }

  @Test
  void eachModeLoadsWithItsKey() {
    assertEquals(DiscoveryMode.ENDPOINTSLICES, load("groupcache.discovery", "EndpointSlices",
        "groupcache.kubernetes.service", "peers").discovery());
    assertEquals(DiscoveryMode.PODS, load("groupcache.discovery", "PODS",
        "groupcache.kubernetes.label-selector", "app=orders").discovery());
    assertEquals(DiscoveryMode.DNS, load("groupcache.discovery", "dns",
        "groupcache.dns.name", "peers.shop.svc").discovery());
  }

  @Test
  void perCacheKeysUseTheExactNameWithDotsAndDashes() {
    Settings s = load(
        "groupcache.caches.orders.v2.max-bytes", "1MiB",
        "groupcache.caches.orders.v2.hot-share", "0",
        "groupcache.caches.orders.v2.near-ttl", "0",
        "groupcache.caches.orders.v2.statistics", "true",
        "groupcache.caches.orders.v2.management", "on",
        "groupcache.caches.orders.v2.read-through-timeout", "1m",
        "groupcache.caches.my-cache.max-bytes", "3MiB",
        "groupcache.caches.orders.max-bytes", "5MiB");
    assertEquals(new Settings.CacheSettings("orders.v2", 1 << 20, 0.0, Duration.ZERO, true, true,
        Duration.ofMinutes(1), 1), s.cache("orders.v2"));
    assertEquals(3L << 20, s.cache("my-cache").maxBytes());
    assertEquals(5L << 20, s.cache("orders").maxBytes());
    assertEquals(64L << 20, s.cache("orders.v3").maxBytes());
    assertEquals(64L << 20, s.cache("v2").maxBytes());
    assertTrue(s.unknownKeys().isEmpty(), s.unknownKeys().toString());
  }

  @ParameterizedTest
  @CsvSource({"true, true", "TRUE, true", "yes, true", "on, true", "1, true", "y, true",
      "false, false", "False, false", "no, false", "off, false", "0, false", "n, false"})
  void parsesBooleans(String text, boolean expected) {
    assertEquals(expected, load("groupcache.caches.c.statistics", text).cache("c").statistics());
  }

  @Test
  void rejectsAnEmptyCacheName() {
    assertEquals("a cache name must not be empty",
        assertThrows(IllegalArgumentException.class, () -> load().cache("")).getMessage());
  }

  @Test
  void anEmptyValueMeansNotSetAndHidesLowerSources() {
    Settings s = Settings.load(SettingsTest.class.getClassLoader(), List.of(
        SettingsSource.of("top", Map.of("groupcache.port", " ", "groupcache.discovery", "static",
            "groupcache.static.peers", "a:1")),
        SettingsSource.of("below", Map.of("groupcache.port", "7000", "groupcache.vnodes", "16"))), NO_ENV);
    assertEquals(7600, s.port());
    assertEquals(16, s.vnodes());
  }

  @Test
  void stackedSourcesWinInOrder() {
    Settings s = Settings.load(SettingsTest.class.getClassLoader(), List.of(
        SettingsSource.of("top", Map.of("groupcache.port", "7001", "groupcache.discovery", "static",
            "groupcache.static.peers", "a:1")),
        SettingsSource.of("below", Map.of("groupcache.port", "7000", "groupcache.vnodes", "16"))), NO_ENV);
    assertEquals(7001, s.port());
    assertEquals(16, s.vnodes());
    assertTrue(s.sources().startsWith("top > below > "), s.sources());
  }

  @Test
  void theOriginOfAStackedSourceIsNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Settings.load(
        SettingsTest.class.getClassLoader(),
        List.of(SettingsSource.of("javaagent arguments", Map.of("groupcache.port", "80a"))), NO_ENV));
    assertEquals("groupcache.port = \"80a\" (from javaagent arguments) is not a port: expected an integer 1-65535",
        e.getMessage());
  }

  @Test
  void aFailingSourceIsReportedWithTheKey() {
    SettingsSource broken = new SettingsSource() {
      @Override
      public Found get(String key) {
        throw new IllegalStateException("expression ${missing} cannot be expanded");
      }

      @Override
      public Iterable<String> names() {
        return List.of();
      }

      @Override
      public String description() {
        return "broken";
      }
    };
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Settings.load(SettingsTest.class.getClassLoader(), List.of(broken), NO_ENV));
    assertEquals("groupcache.port cannot be read: expression ${missing} cannot be expanded", e.getMessage());
  }

  @Test
  void selfComesFromPodIpWhenNotConfigured() {
    assertEquals(Optional.of("10.0.0.7:7600"), load(Map.of("POD_IP", "10.0.0.7")::get).self());
    assertEquals(Optional.of("[fd00::7]:7601"),
        load(Map.of("POD_IP", " FD00::7 ")::get, "groupcache.port", "7601").self());
    assertEquals(Optional.of("node-1:7600"),
        load(Map.of("POD_IP", "10.0.0.7")::get, "groupcache.self", "node-1:7600").self());
    assertEquals(Optional.empty(), load(Map.of("POD_IP", "")::get).self());
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.7/24", "10.0.0.7,fd00::7", "[fd00::7]", "fd00::zz"})
  void aBadPodIpIsNamed(String podIp) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> load(Map.of("POD_IP", podIp)::get));
    assertTrue(e.getMessage().startsWith("POD_IP = \"" + podIp + "\" (from environment variable POD_IP) "
        + "is not an IP address"), e.getMessage());
    assertTrue(e.getMessage().endsWith(": expected one address, as the downward API's status.podIP gives"),
        e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.96.0.10", "10.96.0.10:5353", "[2001:db8::53]", "[2001:db8::53]:5353",
      "kube-dns.kube-system.svc"})
  void acceptsDnsServers(String server) {
    assertEquals(Optional.of(server), load("groupcache.dns.server", server).dnsServer());
  }

  @Test
  void theAllowlistIsWhatSerializationAdmitsAndNothingElse() {
    // the provider's own path: the setting's patterns, joined, make the codecs' serialization
    JavaSerialization serialization = JavaSerialization.create(String.join(";", load(
        "groupcache.serialization.allowlist", "!java.util.HashMap,java.util.*,com.example.model.**")
        .serializationAllowlist()), getClass().getClassLoader(), 1 << 20);
    serialization.checkWritable(java.util.ArrayList.class);
    assertThrows(IllegalArgumentException.class, () -> serialization.checkWritable(java.util.HashMap.class));
    assertThrows(IllegalArgumentException.class, () -> serialization.checkWritable(Thread.class));
    assertThrows(IllegalArgumentException.class,
        () -> serialization.checkWritable(java.util.concurrent.atomic.AtomicLong.class));
  }

  @Test
  void fillsADiscoveryConfig() {
    DiscoveryConfig slices = load("groupcache.discovery", "endpointslices",
        "groupcache.kubernetes.service", "peers", "groupcache.kubernetes.port-name", "groupcache",
        "groupcache.kubernetes.namespace", "shop", "groupcache.kubernetes.address-family", "ipv4")
        .discoveryConfig().build();
    assertEquals(DiscoveryMode.ENDPOINTSLICES, slices.mode());
    assertEquals("peers", slices.service());
    assertEquals("shop", slices.namespace());
    assertEquals("groupcache", slices.portName());
    assertEquals(0, slices.port()); // the port name decides
    assertEquals(AddressFamily.IPV4, slices.addressFamily());

    DiscoveryConfig dns = load("groupcache.discovery", "dns", "groupcache.dns.name", "peers.shop.svc",
        "groupcache.kubernetes.port-name", "ignored", "groupcache.port", "7611",
        "groupcache.dns.server", "10.96.0.10", "groupcache.dns.interval", "1s")
        .discoveryConfig().build();
    assertEquals(7611, dns.port()); // DNS records carry no port
    assertEquals("10.96.0.10", dns.dnsServer());
    assertEquals(Duration.ofSeconds(1), dns.dnsInterval());

    DiscoveryConfig fixed = load("groupcache.static.peers", "a:1,b:2", "groupcache.discovery.debounce", "0")
        .discoveryConfig().build();
    assertEquals(List.of("a:1", "b:2"), fixed.staticPeers());
    assertEquals(Duration.ZERO, fixed.debounce());
  }

  @Test
  void reportsUnknownKeys() {
    Settings s = load("groupcache.vnode", "1", "groupcache.caches.orders.max-byte", "1",
        "groupcache.caches.max-bytes", "1", "groupcache.caches.orders.v2.max-bytes", "1",
        "other.key", "x");
    assertEquals(List.of("groupcache.caches.max-bytes", "groupcache.caches.orders.max-byte", "groupcache.vnode"),
        s.unknownKeys());
  }

  @Test
  void mapsEnvironmentNamesAsMicroProfileDoes() {
    assertEquals(List.of("groupcache.caches.my-cache.max-bytes", "groupcache_caches_my_cache_max_bytes",
        "GROUPCACHE_CACHES_MY_CACHE_MAX_BYTES"), SettingsSource.environmentNames("groupcache.caches.my-cache.max-bytes"));
    assertEquals(List.of("GROUPCACHE_PORT"), SettingsSource.environmentNames("GROUPCACHE_PORT"));
  }

  @Test
  void propertiesFilesAreRankedByConfigOrdinalAndReadAsUtf8(@TempDir Path dir) throws Exception {
    Path low = write(dir.resolve("low"), "groupcache.kubernetes.label-selector=team=\u00e9quipe\n");
    Path high = write(dir.resolve("high"), "config_ordinal=200\ngroupcache.kubernetes.label-selector=app=high\n");
    Path bad = write(dir.resolve("bad"), "config_ordinal=high\n");
    try (URLClassLoader loader = loader(low, high)) {
      List<SettingsSource.Ranked> files = SettingsSource.propertiesFiles(loader);
      assertEquals(List.of(200, 100), files.stream().map(SettingsSource.Ranked::ordinal).toList());
      assertEquals("app=high", files.get(0).source().get("groupcache.kubernetes.label-selector").value());
      assertEquals("team=\u00e9quipe", files.get(1).source().get("groupcache.kubernetes.label-selector").value());
    }
    try (URLClassLoader loader = loader(bad)) {
      String message = assertThrows(IllegalArgumentException.class, () -> SettingsSource.propertiesFiles(loader))
          .getMessage();
      assertTrue(message.matches("config_ordinal = \"high\" \\(from file:.*/bad/META-INF/microprofile-config"
          + "\\.properties\\) is not an integer: expected an ordinal such as 100"), message);
    }
  }

  private static Path write(Path root, String content) throws Exception {
    Path file = root.resolve(SettingsSource.PROPERTIES_RESOURCE);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return root;
  }

  private static URLClassLoader loader(Path... roots) throws Exception {
    URL[] urls = new URL[roots.length];
    for (int i = 0; i < roots.length; i++) {
      urls[i] = roots[i].toUri().toURL();
    }
    return new URLClassLoader(urls, null);
  }

  @Test
  void everyKeyIsInTheTableAndEveryDefaultIsValid() {
    String table = SettingsKey.markdownTable();
    List<String> rows = new ArrayList<>(List.of(table.split("\n")));
    assertEquals(SettingsKey.values().length + 2, rows.size());
    for (SettingsKey k : SettingsKey.values()) {
      assertTrue(table.contains("| `" + k.key() + "` |"), k.key());
      assertTrue(SettingsKey.known(k.perCache() ? k.of("a.b-c") : k.key()), k.key());
      assertFalse(k.perCache() && SettingsKey.known(k.of("")), k.key());
    }
    // load() and cache() parse every default: a bad default would fail here
    Settings s = load();
    s.cache("x");
  }
}
