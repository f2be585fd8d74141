package dev.groupcache.jcache.configuration;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs {@link Settings} inside the class loader of {@link SettingsWithoutMicroProfileTest}, where
 * this class and {@code Settings} are defined by that loader, and reports the results in JDK types
 * the test can read across loaders.
 *
 * <p>Input: {@code env:NAME} entries are the environment, {@code override:KEY} entries the
 * overrides, {@code cache} a cache to read. Output: the values read, or {@code error} with the
 * message of the {@link IllegalArgumentException}.
 */
public final class SettingsProbe implements Function<Map<String, String>, Map<String, String>> {
  @Override
  public Map<String, String> apply(Map<String, String> input) {
    Map<String, String> env = new HashMap<>();
    Map<String, String> overrides = new HashMap<>();
    input.forEach((k, v) -> {
      if (k.startsWith("env:")) {
        env.put(k.substring(4), v);
      } else if (k.startsWith("override:")) {
        overrides.put(k.substring(9), v);
      }
    });
    Map<String, String> out = new LinkedHashMap<>();
    ClassLoader own = SettingsProbe.class.getClassLoader();
    out.put("settingsLoader", Settings.class.getClassLoader() == own ? "probe's" : "other");
    out.put("apiVisible", String.valueOf(visible(Settings.MICROPROFILE_CONFIG_PROVIDER, own)));
    try {
      Settings s = Settings.load(own,
          overrides.isEmpty() ? List.of() : List.of(SettingsSource.of(Settings.OVERRIDES, overrides)),
          env::get);
      out.put("sources", s.sources());
      out.put("port", String.valueOf(s.port()));
      out.put("vnodes", String.valueOf(s.vnodes()));
      out.put("discovery", s.discovery().toString());
      out.put("staticPeers", String.join(",", s.staticPeers()));
      out.put("self", s.self().orElse(""));
      out.put("dnsInterval", s.dnsInterval().toString());
      out.put("debounce", s.discoveryDebounce().toString());
      out.put("peerTimeout", s.peerTimeout().toString());
      out.put("invalidationTimeout", s.invalidationTimeout().toString());
      out.put("unknown", String.join(",", s.unknownKeys()));
      String cache = input.get("cache");
      if (cache != null) {
        Settings.CacheSettings c = s.cache(cache);
        out.put("cache.maxBytes", String.valueOf(c.maxBytes()));
        out.put("cache.nearTtl", c.nearTtl().toString());
      }
    } catch (IllegalArgumentException e) {
      out.put("error", e.getMessage());
    }
    return out;
  }

  private static boolean visible(String name, ClassLoader loader) {
    try {
      Class.forName(name, false, loader);
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
