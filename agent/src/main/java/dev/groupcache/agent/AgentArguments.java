package dev.groupcache.agent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The agent's argument, {@code -javaagent:groupcache-agent.jar=key=value,key=value}: settings with
 * the provider's keys ({@code groupcache.} may be left out), which win over every other source.
 * A list value keeps its commas: a piece without {@code =} continues the value before it, so
 * {@code static.peers=a:7600,b:7600,port=7600} is two settings.
 */
final class AgentArguments {
  private AgentArguments() {}

  static Map<String, String> parse(String argument) {
    Map<String, String> settings = new LinkedHashMap<>();
    if (argument == null || argument.isBlank()) {
      return settings;
    }
    String lastKey = null;
    for (String piece : argument.split(",")) {
      int eq = piece.indexOf('=');
      if (eq < 0) {
        if (lastKey == null) {
          throw new IllegalArgumentException("groupcache agent argument '" + argument
              + "': expected key=value pieces, got '" + piece + "'");
        }
        settings.put(lastKey, settings.get(lastKey) + "," + piece.trim());
        continue;
      }
      String key = piece.substring(0, eq).trim();
      if (key.isEmpty()) {
        throw new IllegalArgumentException("groupcache agent argument '" + argument + "': a piece has no key");
      }
      lastKey = key.startsWith("groupcache.") ? key : "groupcache." + key;
      settings.put(lastKey, piece.substring(eq + 1).trim());
    }
    return settings;
  }

  /**
   * A setting from the argument, a system property or the environment (MicroProfile's name
   * mapping), in that order; null if none has it. For the settings the agent itself needs before
   * the provider reads the rest.
   */
  static String value(Map<String, String> settings, String key) {
    String value = settings.get(key);
    if (value == null) {
      value = System.getProperty(key);
    }
    if (value == null) {
      value = System.getenv(key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT));
    }
    return value == null ? null : value.trim();
  }

  /**
   * A boolean setting, false when absent.
   *
   * @throws IllegalArgumentException naming the key if the value is neither true nor false
   */
  static boolean flag(Map<String, String> settings, String key) {
    String value = value(settings, key);
    if (value == null || value.equalsIgnoreCase("false")) {
      return false;
    }
    if (value.equalsIgnoreCase("true")) {
      return true;
    }
    throw new IllegalArgumentException(key + " = \"" + value + "\" is not a boolean: expected true or false");
  }

  /** A comma-separated list setting, empty when absent. */
  static List<String> list(Map<String, String> settings, String key) {
    String value = value(settings, key);
    List<String> items = new ArrayList<>();
    if (value != null) {
      for (String item : value.split(",")) {
        if (!item.isBlank()) {
          items.add(item.trim());
        }
      }
    }
    return items;
  }
}
