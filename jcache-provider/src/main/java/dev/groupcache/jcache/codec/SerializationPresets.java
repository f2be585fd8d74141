package dev.groupcache.jcache.codec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Named entries of {@code groupcache.serialization.allowlist} that stand for the classes a
 * framework puts into a cache itself, so that its users allow only their own types: {@code
 * hibernate} for Hibernate ORM's second-level cache, {@code spring} for Spring's cache
 * abstraction.
 *
 * <p>A preset is an opt-in by name, like any other entry, and names exact classes, never a
 * package: a library's package holds many serializable classes that have no business in a cache,
 * and each one allowed is one more whose deserialization a peer can trigger. The lists are what
 * the recipes' three-JVM tests saw the frameworks write (entities with generated, UUID and
 * natural ids, versions, collections, updates and deletes); a class missing here fails with a
 * message that names it.
 *
 * <p>{@code java.io.Serializable} is in the Hibernate preset for the {@code Serializable[]} that
 * holds an entity's disassembled state: the filter checks an array's element type, and an
 * interface can be named in a stream but never instantiated, so it admits nothing else.
 */
final class SerializationPresets {
  /** Hibernate ORM 7 (hibernate-jcache): entries, keys and soft locks of its regions. */
  static final String HIBERNATE = "hibernate";

  /** Spring Framework 6 (spring-context): the null marker and the key of several arguments. */
  static final String SPRING = "spring";

  private static final Map<String, List<String>> CLASSES =
      Map.of(
          HIBERNATE,
          List.of(
              "org.hibernate.cache.spi.entry.StandardCacheEntryImpl",
              "org.hibernate.cache.spi.entry.CollectionCacheEntry",
              "org.hibernate.cache.internal.CacheKeyImplementation",
              "org.hibernate.cache.internal.BasicCacheKeyImplementation",
              "org.hibernate.cache.internal.NaturalIdCacheKey",
              "org.hibernate.cache.spi.support.AbstractReadWriteAccess$Item",
              "org.hibernate.cache.spi.support.AbstractReadWriteAccess$SoftLockImpl",
              "java.util.UUID", // a soft lock's source, written from the first update or delete
              "java.io.Serializable"),
          SPRING,
          List.of(
              "org.springframework.cache.support.NullValue",
              "org.springframework.cache.interceptor.SimpleKey"));

  private SerializationPresets() {}

  /** Whether {@code entry} names a preset. */
  static boolean isPreset(String entry) {
    return CLASSES.containsKey(entry);
  }

  /**
   * {@code entries} with each preset replaced, in place, by its classes' names, and each {@code
   * Type[]} by {@code Type}: the filter matches an array by its element type.
   */
  static List<String> expand(List<String> entries) {
    List<String> patterns = new ArrayList<>();
    for (String entry : entries) {
      List<String> preset = CLASSES.get(entry);
      if (preset != null) {
        patterns.addAll(preset);
      } else {
        patterns.add(elementPattern(entry));
      }
    }
    return patterns;
  }

  /** {@code entry} without trailing {@code []}s. */
  static String elementPattern(String entry) {
    String p = entry;
    while (p.endsWith("[]")) {
      p = p.substring(0, p.length() - 2).strip();
    }
    return p;
  }

  /**
   * Warns of each class of a preset in {@code entries} that {@code loader} cannot find: another
   * version of the framework may cache classes of other names, which would then be refused (each
   * refusal names its class).
   */
  static void checkPresent(List<String> entries, ClassLoader loader, System.Logger log) {
    for (String entry : entries) {
      for (String name : CLASSES.getOrDefault(entry, List.of())) {
        try {
          Class.forName(name, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
          log.log(
              System.Logger.Level.WARNING,
              "The serialization preset \"{0}\" names {1}, which this class path lacks: is this"
                  + " the framework version the preset is made for? A class it caches instead will"
                  + " be refused with its name",
              entry,
              name);
        }
      }
    }
  }

  /** The preset that lists {@code type}, or null. */
  static String presetOf(Class<?> type) {
    String name = type.getName();
    for (Map.Entry<String, List<String>> e : CLASSES.entrySet()) {
      if (!name.startsWith("java.") && e.getValue().contains(name)) {
        return e.getKey();
      }
    }
    return null;
  }
}
