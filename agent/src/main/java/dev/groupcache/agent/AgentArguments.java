package dev.groupcache.agent;

import java.util.LinkedHashMap;
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

  /** The settings of an argument that may be malformed: none if it is. */
  static Map<String, String> lenient(String argument) {
    try {
      return parse(argument);
    } catch (IllegalArgumentException e) {
      return Map.of();
    }
  }

  /** A boolean setting from the argument, a system property or the environment, in that order. */
  static boolean flag(Map<String, String> settings, String key) {
    String value = settings.get(key);
    if (value == null) {
      value = System.getProperty(key);
    }
    if (value == null) {
      value = System.getenv(key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT));
    }
    return value != null && value.trim().equalsIgnoreCase("true");
  }
}
