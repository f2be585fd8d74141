package dev.groupcache.jcache.configuration;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;

/**
 * One place {@link Settings} reads raw values from: MicroProfile Config, system properties,
 * environment variables, property files, or a map given in code.
 *
 * <p>The built-in sources here follow MicroProfile Config's rules so that an application without an
 * MP implementation is configured the same way as one with it.
 */
public interface SettingsSource {
  /** Ordinal of system properties, as in MicroProfile Config. */
  int SYSTEM_PROPERTIES_ORDINAL = 400;
  /** Ordinal of environment variables, as in MicroProfile Config. */
  int ENVIRONMENT_ORDINAL = 300;
  /** Ordinal of a {@code microprofile-config.properties} file without {@code config_ordinal}. */
  int FILE_ORDINAL = 100;
  /** The resource MicroProfile Config reads from every class path entry. */
  String PROPERTIES_RESOURCE = "META-INF/microprofile-config.properties";

  /** A value and the place it was found, such as {@code system property} or a file's URL. */
  record Found(String value, String origin) {
    public Found {
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(origin, "origin");
    }
  }

  /** The value of {@code key} in this source, or null if this source does not define it. */
  Found get(String key);

  /**
   * The keys this source can list, used only to warn about misspelt {@code groupcache.*} keys;
   * sources that cannot list (environment variables) return none.
   */
  Iterable<String> names();

  /** A short description for logs, such as {@code system properties}. */
  String description();

  /** A fixed map, such as the javaagent's arguments; {@code origin} names it in error messages. */
  static SettingsSource of(String origin, Map<String, String> values) {
    Map<String, String> copy = Map.copyOf(values);
    return new SettingsSource() {
      @Override
      public Found get(String key) {
        String v = copy.get(key);
        return v == null ? null : new Found(v, origin);
      }

      @Override
      public Iterable<String> names() {
        return copy.keySet();
      }

      @Override
      public String description() {
        return origin;
      }
    };
  }

  /** The JVM's system properties, read at each lookup. */
  static SettingsSource systemProperties() {
    return new SettingsSource() {
      @Override
      public Found get(String key) {
        String v = System.getProperty(key);
        return v == null ? null : new Found(v, "system property");
      }

      @Override
      public Iterable<String> names() {
        return System.getProperties().stringPropertyNames();
      }

      @Override
      public String description() {
        return "system properties";
      }
    };
  }

  /**
   * Environment variables found through {@code environment} with MicroProfile Config's mapping:
   * the exact key, then every character other than a letter or digit replaced by {@code _}, then
   * that upper-cased ({@code groupcache.caches.my-cache.max-bytes} is also
   * {@code GROUPCACHE_CACHES_MY_CACHE_MAX_BYTES}). The origin names the variable that matched.
   */
  static SettingsSource environment(Function<String, String> environment) {
    Objects.requireNonNull(environment, "environment");
    return new SettingsSource() {
      @Override
      public Found get(String key) {
        for (String name : environmentNames(key)) {
          String v = environment.apply(name);
          if (v != null) {
            return new Found(v, "environment variable " + name);
          }
        }
        return null;
      }

      @Override
      public Iterable<String> names() {
        return List.of();
      }

      @Override
      public String description() {
        return "environment variables";
      }
    };
  }

  /** The variable names MicroProfile Config tries for {@code key}, in order, without repeats. */
  static List<String> environmentNames(String key) {
    StringBuilder sanitized = new StringBuilder(key.length());
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      sanitized.append(c < 128 && Character.isLetterOrDigit(c) ? c : '_');
    }
    Set<String> names = new LinkedHashSet<>();
    names.add(key);
    names.add(sanitized.toString());
    names.add(sanitized.toString().toUpperCase(java.util.Locale.ROOT));
    return List.copyOf(names);
  }

  /**
   * Every {@value #PROPERTIES_RESOURCE} {@code loader} finds, read now. Files are ranked by their
   * {@code config_ordinal} (default {@value #FILE_ORDINAL}); among equals the first found wins, as
   * in MicroProfile Config. Each file is read as UTF-8.
   *
   * @return one source per file, highest ordinal first
   * @throws UncheckedIOException if a file exists but cannot be read
   */
  static List<Ranked> propertiesFiles(ClassLoader loader) {
    List<Ranked> files = new ArrayList<>();
    try {
      Enumeration<URL> urls = loader.getResources(PROPERTIES_RESOURCE);
      while (urls.hasMoreElements()) {
        URL url = urls.nextElement();
        Map<String, String> values = read(url);
        int ordinal = FILE_ORDINAL;
        String declared = values.get("config_ordinal");
        if (declared != null) {
          try {
            ordinal = Integer.parseInt(declared.trim());
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("config_ordinal = \"" + declared + "\" (from " + url
                + ") is not an integer: expected an ordinal such as 100", e);
          }
        }
        files.add(new Ranked(ordinal, of(url.toString(), values)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + PROPERTIES_RESOURCE + " resources", e);
    }
    files.sort(Comparator.comparingInt(Ranked::ordinal).reversed()); // stable: ties keep class path order
    return files;
  }

  private static Map<String, String> read(URL url) {
    Properties properties = new Properties();
    try (InputStream in = url.openStream();
        Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + url, e);
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (String name : properties.stringPropertyNames()) {
      values.put(name, properties.getProperty(name));
    }
    return values;
  }

  /**
   * Sources consulted in order, the first that defines a key deciding it (an empty value included:
   * it hides lower sources and means "not set", as in MicroProfile Config).
   */
  static SettingsSource chain(List<SettingsSource> sources) {
    List<SettingsSource> list = List.copyOf(sources);
    return new SettingsSource() {
      @Override
      public Found get(String key) {
        for (SettingsSource s : list) {
          Found f = s.get(key);
          if (f != null) {
            return f;
          }
        }
        return null;
      }

      @Override
      public Iterable<String> names() {
        Set<String> all = new LinkedHashSet<>();
        for (SettingsSource s : list) {
          s.names().forEach(all::add);
        }
        return all;
      }

      @Override
      public String description() {
        StringBuilder sb = new StringBuilder();
        for (SettingsSource s : list) {
          sb.append(sb.length() == 0 ? "" : " > ").append(s.description());
        }
        return sb.toString();
      }
    };
  }

  /**
   * The sources used when no MicroProfile Config implementation is present: system properties,
   * environment variables, then the property files, ordered by ordinal like MP's defaults.
   */
  static SettingsSource builtIn(ClassLoader loader, Function<String, String> environment) {
    List<Ranked> ranked = new ArrayList<>();
    ranked.add(new Ranked(SYSTEM_PROPERTIES_ORDINAL, systemProperties()));
    ranked.add(new Ranked(ENVIRONMENT_ORDINAL, environment(environment)));
    ranked.addAll(propertiesFiles(loader));
    ranked.sort(Comparator.comparingInt(Ranked::ordinal).reversed());
    List<SettingsSource> ordered = new ArrayList<>();
    for (Ranked r : ranked) {
      ordered.add(r.source());
    }
    return chain(ordered);
  }

  /** A source and its MicroProfile Config ordinal; higher wins. */
  record Ranked(int ordinal, SettingsSource source) {}
}
