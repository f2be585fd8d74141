package dev.groupcache.jcache.configuration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Settings} where no MicroProfile Config implementation is present, and where not even the
 * API is: system properties, mapped environment variables and {@code microprofile-config.properties}
 * files, read by {@code Settings} itself.
 *
 * <p>The test's own class path has SmallRye, so {@code Settings} runs in a {@link HidingLoader}
 * that defines this package's classes itself and refuses MicroProfile and SmallRye classes.
 */
@Timeout(10)
class SettingsWithoutMicroProfileTest {
  private final List<String> properties = new ArrayList<>();

  @AfterEach
  void clearProperties() {
    properties.forEach(System::clearProperty);
  }

  private void setProperty(String key, String value) {
    properties.add(key);
    System.setProperty(key, value);
  }

  /**
   * Child-first for {@code dev.groupcache.jcache}, so that {@code Settings} is linked by this
   * loader; {@code org.eclipse.microprofile} is refused (or, with {@code keepApi}, defined here
   * from the API jar alone); {@code io.smallrye} is refused. Only the folders under
   * {@code settings-config} supply {@code microprofile-config.properties}, and no MicroProfile
   * service files are visible.
   */
  static final class HidingLoader extends URLClassLoader {
    static {
      registerAsParallelCapable();
    }

    private final boolean keepApi;

    HidingLoader(List<URL> urls, boolean keepApi) {
      super(urls.toArray(new URL[0]), SettingsWithoutMicroProfileTest.class.getClassLoader());
      this.keepApi = keepApi;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      synchronized (getClassLoadingLock(name)) {
        Class<?> c = findLoadedClass(name);
        if (c == null) {
          boolean api = name.startsWith("org.eclipse.microprofile.");
          if (name.startsWith("io.smallrye.") || (api && !keepApi)) {
            throw new ClassNotFoundException(name + " is hidden by the test");
          }
          c = api || name.startsWith("dev.groupcache.jcache.") ? findClass(name) : getParent().loadClass(name);
        }
        if (resolve) {
          resolveClass(c);
        }
        return c;
      }
    }

    @Override
    public URL getResource(String name) {
      Enumeration<URL> found = ownResources(name);
      if (found != null) {
        return found.hasMoreElements() ? found.nextElement() : null;
      }
      return super.getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
      Enumeration<URL> found = ownResources(name);
      return found != null ? found : super.getResources(name);
    }

    /** The test's own answer for MicroProfile resources, or null to look as usual. */
    private Enumeration<URL> ownResources(String name) {
      try {
        if (name.equals(SettingsSource.PROPERTIES_RESOURCE)) {
          List<URL> mine = new ArrayList<>();
          for (URL url : Collections.list(findResources(name))) {
            if (url.toString().contains("/settings-config/")) {
              mine.add(url);
            }
          }
          return Collections.enumeration(mine);
        }
        if (name.startsWith("META-INF/services/org.eclipse.microprofile")
            || name.startsWith("META-INF/services/io.smallrye")) {
          return Collections.emptyEnumeration();
        }
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      return null;
    }
  }

  private static URL location(Class<?> type) {
    return type.getProtectionDomain().getCodeSource().getLocation();
  }

  private static URL folder(String name) {
    URL url = SettingsWithoutMicroProfileTest.class.getClassLoader().getResource("settings-config/" + name + "/");
    if (url == null) {
      throw new IllegalStateException("test resource folder settings-config/" + name + " is missing");
    }
    return url;
  }

  /** Runs {@link SettingsProbe} in a new hiding loader over the given properties folders. */
  @SuppressWarnings("unchecked")
  private static Map<String, String> probe(boolean keepApi, List<String> folders, Map<String, String> input)
      throws Exception {
    List<URL> urls = new ArrayList<>(List.of(location(Settings.class), location(SettingsProbe.class)));
    if (keepApi) {
      urls.add(location(ConfigProvider.class));
    }
    for (String f : folders) {
      urls.add(folder(f));
    }
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    try (HidingLoader loader = new HidingLoader(urls, keepApi)) {
      thread.setContextClassLoader(loader);
      Object probe = loader.loadClass(SettingsProbe.class.getName()).getConstructor().newInstance();
      return ((Function<Map<String, String>, Map<String, String>>) probe).apply(input);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  private static Map<String, String> probe(Map<String, String> input) throws Exception {
    return probe(false, List.of("first", "second"), input);
  }

  @Test
  void runsWithoutTheApiAndReadsTheClassPathsPropertiesFiles() throws Exception {
    Map<String, String> out = probe(Map.of("cache", "orders.v2"));
    assertNull(out.get("error"), out.get("error"));
    assertEquals("probe's", out.get("settingsLoader"));
    assertEquals("false", out.get("apiVisible"));
    assertFalse(out.get("sources").contains("MicroProfile"), out.get("sources"));
    assertTrue(out.get("sources").startsWith("system properties > environment variables > "), out.get("sources"));
    assertEquals("STATIC", out.get("discovery"));
    assertEquals("10.0.0.1:7600,10.0.0.2:7600", out.get("staticPeers"));
    assertEquals("7701", out.get("port"));
    assertEquals("128", out.get("vnodes")); // the first file found wins over the second
    assertEquals("PT0.75S", out.get("invalidationTimeout")); // only in the second
    assertEquals("PT7S", out.get("dnsInterval"));
    assertEquals(String.valueOf(2 << 20), out.get("cache.maxBytes"));
    assertEquals("PT3S", out.get("cache.nearTtl"));
    assertEquals("groupcache.vnode", out.get("unknown"));
  }

  @Test
  void systemPropertiesWinOverEnvironmentWhichWinsOverFiles() throws Exception {
    setProperty("groupcache.vnodes", "256");
    Map<String, String> out = probe(Map.of(
        "env:GROUPCACHE_VNODES", "512",
        "env:GROUPCACHE_PORT", "7710",
        "cache", "orders.v2",
        "env:GROUPCACHE_CACHES_ORDERS_V2_MAX_BYTES", "1MiB"));
    assertNull(out.get("error"), out.get("error"));
    assertEquals("256", out.get("vnodes"));
    assertEquals("7710", out.get("port"));
    assertEquals(String.valueOf(1 << 20), out.get("cache.maxBytes"));
    assertEquals("PT3S", out.get("cache.nearTtl")); // not in the environment: the file's
  }

  @Test
  void environmentNamesAreTriedExactThenSanitizedThenUpperCased() throws Exception {
    Map<String, String> out = probe(Map.of(
        "env:groupcache.discovery.debounce", "250ms",
        "env:GROUPCACHE_DISCOVERY_DEBOUNCE", "1s",
        "env:groupcache_peer_timeout", "7s",
        "env:GROUPCACHE_PEER_TIMEOUT", "8s",
        "env:GROUPCACHE_DNS_INTERVAL", "9s",
        "env:POD_IP", "10.0.0.9"));
    assertNull(out.get("error"), out.get("error"));
    assertEquals("PT0.25S", out.get("debounce"));
    assertEquals("PT7S", out.get("peerTimeout"));
    assertEquals("PT9S", out.get("dnsInterval"));
    assertEquals("10.0.0.9:7701", out.get("self"));
  }

  @Test
  void overridesWinOverSystemProperties() throws Exception {
    setProperty("groupcache.port", "7720");
    Map<String, String> out = probe(Map.of("override:groupcache.port", "7730"));
    assertEquals("7730", out.get("port"));
    assertTrue(out.get("sources").startsWith("overrides > system properties > "), out.get("sources"));
  }

  @Test
  void aFileWithAHigherOrdinalWinsOverSystemProperties() throws Exception {
    setProperty("groupcache.peer-timeout", "8s");
    Map<String, String> out = probe(false, List.of("first", "ordinal"), Map.of());
    assertEquals("PT9S", out.get("peerTimeout"));
  }

  @Test
  void errorsNameTheVariableOrFileTheValueCameFrom() throws Exception {
    Map<String, String> env = probe(Map.of("env:GROUPCACHE_CACHES_MY_CACHE_MAX_BYTES", "-1", "cache", "my-cache"));
    assertEquals("groupcache.caches.my-cache.max-bytes = \"-1\" (from environment variable "
        + "GROUPCACHE_CACHES_MY_CACHE_MAX_BYTES) is negative: expected a size of at least 0, such as 65536, "
        + "64KiB, 16MiB or 1GiB", env.get("error"));

    Map<String, String> file = probe(Map.of("cache", "broken"));
    String message = file.get("error");
    assertTrue(message.startsWith("groupcache.caches.broken.hot-share = \"0.5\" (from "), message);
    assertTrue(message.endsWith("settings-config/first/META-INF/microprofile-config.properties) is out of range: "
        + "expected a number from 0 to 0.125"), message);

    setProperty("groupcache.port", "80a");
    assertEquals("groupcache.port = \"80a\" (from system property) is not a port: expected an integer 1-65535",
        probe(Map.of()).get("error"));
  }

  @Test
  void theApiWithoutAnImplementationFallsBackToo() throws Exception {
    Map<String, String> input = new HashMap<>();
    input.put("env:GROUPCACHE_PORT", "7740");
    Map<String, String> out = probe(true, List.of("first"), input);
    assertNull(out.get("error"), out.get("error"));
    assertEquals("true", out.get("apiVisible"));
    assertFalse(out.get("sources").contains("MicroProfile"), out.get("sources"));
    assertEquals("7740", out.get("port"));
    assertEquals("128", out.get("vnodes"));
  }
}
