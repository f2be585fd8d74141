package dev.groupcache.jcache.configuration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.discovery.DiscoveryMode;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.spi.ConfigBuilder;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Settings} with SmallRye Config on the class path: the application's configuration and its
 * ordinals decide, stacked sources above it.
 *
 * <p>{@code ConfigProviderResolver} is called reflectively: its class file carries bnd annotations
 * that are not on the class path, and javac's warning about them would fail the build.
 */
@Timeout(10)
class SettingsMicroProfileTest {
  private static final String FILE_PATH = "settings-config/first/";

  private static final String RESOLVER = "org.eclipse.microprofile.config.spi.ConfigProviderResolver";

  private final Object resolver = call(null, "instance");
  private Config registered;
  private String property;

  @AfterEach
  void cleanUp() {
    if (registered != null) {
      call(resolver, "releaseConfig", registered);
    }
    if (property != null) {
      System.clearProperty(property);
    }
  }

  /** An application's own source, ordinal 150: above the properties file (100), below system properties (400). */
  private static final class AppSource implements ConfigSource {
    private final Map<String, String> values;

    AppSource(Map<String, String> values) {
      this.values = values;
    }

    @Override
    public Set<String> getPropertyNames() {
      return values.keySet();
    }

    @Override
    public String getValue(String name) {
      return values.get(name);
    }

    @Override
    public String getName() {
      return "app-source";
    }

    @Override
    public int getOrdinal() {
      return 150;
    }
  }

  /**
   * A class loader that sees {@code settings-config/first}'s properties file, with a configuration
   * of its own registered: MicroProfile's default sources plus {@code app}.
   */
  private URLClassLoader appLoader(Map<String, String> app) {
    URL folder = SettingsMicroProfileTest.class.getClassLoader().getResource(FILE_PATH);
    URLClassLoader loader = new URLClassLoader(new URL[] {folder}, SettingsMicroProfileTest.class.getClassLoader());
    registered = ((ConfigBuilder) call(resolver, "getBuilder"))
        .forClassLoader(loader)
        .addDefaultSources()
        .withSources(new AppSource(app))
        .build();
    call(resolver, "registerConfig", registered, loader);
    return loader;
  }

  /** Calls the public method {@code name} of {@code ConfigProviderResolver} on {@code target} (null: static). */
  private static Object call(Object target, String name, Object... args) {
    try {
      for (Method m : Class.forName(RESOLVER).getMethods()) {
        if (m.getName().equals(name) && m.getParameterCount() == args.length) {
          return m.invoke(target, args);
        }
      }
      throw new NoSuchMethodException(RESOLVER + "." + name);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void readsTheApplicationsConfigurationWithItsOrdinals() throws Exception {
    try (URLClassLoader loader = appLoader(Map.of(
        "groupcache.port", "7702",
        "groupcache.caches.orders.v2.max-bytes", "3MiB",
        "groupcache.caches.bad.statistics", "maybe"))) {
      Settings s = Settings.load(loader, Map.of());
      assertTrue(s.sources().contains("MicroProfile Config"), s.sources());
      assertEquals(7702, s.port()); // app source (150) over the file (100)
      assertEquals(128, s.vnodes()); // only in the file
      assertEquals(DiscoveryMode.STATIC, s.discovery());
      assertEquals(List.of("10.0.0.1:7600", "10.0.0.2:7600"), s.staticPeers());
      Settings.CacheSettings orders = s.cache("orders.v2");
      assertEquals(3L << 20, orders.maxBytes());
      assertEquals(Duration.ofSeconds(3), orders.nearTtl());
      assertTrue(s.unknownKeys().contains("groupcache.vnode"), s.unknownKeys().toString());

      String message = assertThrows(IllegalArgumentException.class, () -> s.cache("bad")).getMessage();
      assertEquals("groupcache.caches.bad.statistics = \"maybe\" (from MicroProfile Config source app-source) "
          + "is not a boolean: expected true or false", message);
    }
  }

  @Test
  void systemPropertiesOverrideTheApplicationsSourceAndOverridesOverrideBoth() throws Exception {
    property = "groupcache.port";
    System.setProperty(property, "7703");
    try (URLClassLoader loader = appLoader(Map.of("groupcache.port", "7702", "groupcache.vnodes", "32"))) {
      Settings s = Settings.load(loader, Map.of());
      assertEquals(7703, s.port());
      assertEquals(32, s.vnodes());

      Settings overridden = Settings.load(loader, Map.of("groupcache.port", "7704"));
      assertEquals(7704, overridden.port());
      assertEquals(32, overridden.vnodes());
      assertTrue(overridden.sources().startsWith(Settings.OVERRIDES + " > MicroProfile Config"),
          overridden.sources());
    }
  }

  @Test
  void aBadValueNamesTheMicroProfileSourceItCameFrom() throws Exception {
    property = "groupcache.discovery";
    System.setProperty(property, "consul");
    try (URLClassLoader loader = appLoader(Map.of())) {
      String message = assertThrows(IllegalArgumentException.class, () -> Settings.load(loader, Map.of()))
          .getMessage();
      assertTrue(message.startsWith("groupcache.discovery = \"consul\" (from MicroProfile Config source "),
          message);
      assertTrue(message.endsWith("): expected one of endpointslices, pods, dns, static"), message);
    }
  }

  @Test
  void anUnregisteredLoaderGetsMicroProfilesDefaultConfiguration() throws Exception {
    property = "groupcache.peer-timeout";
    System.setProperty(property, "750ms");
    URL folder = SettingsMicroProfileTest.class.getClassLoader().getResource(FILE_PATH);
    try (URLClassLoader loader = new URLClassLoader(new URL[] {folder}, getClass().getClassLoader())) {
      Settings s = Settings.load(loader, Map.of());
      registered = (Config) call(resolver, "getConfig", loader); // the one MicroProfile made for it, released after
      assertEquals(Duration.ofMillis(750), s.peerTimeout());
      assertEquals(7701, s.port()); // from the file, found by the default sources
    }
  }
}
