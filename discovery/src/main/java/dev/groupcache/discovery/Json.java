package dev.groupcache.discovery;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/** Reads single fields from API objects, treating absent, null and mistyped fields alike. */
final class Json {
  private Json() {}

  /** The object at {@code path}, or null. */
  static JsonObject object(JsonObject o, String... path) {
    JsonElement e = at(o, path);
    return e != null && e.isJsonObject() ? e.getAsJsonObject() : null;
  }

  /** The string at {@code path}, or null. */
  static String string(JsonObject o, String... path) {
    JsonElement e = at(o, path);
    return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
  }

  /** The boolean at {@code path}, or null when it is absent or null: "unknown" stays unknown. */
  static Boolean bool(JsonObject o, String... path) {
    JsonElement e = at(o, path);
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean() ? e.getAsBoolean() : null;
  }

  /** The number at {@code path}, or -1. */
  static long number(JsonObject o, String... path) {
    JsonElement e = at(o, path);
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber() ? e.getAsLong() : -1;
  }

  /** The element at {@code path}, or null. */
  static JsonElement at(JsonObject o, String... path) {
    JsonElement e = o;
    for (String key : path) {
      if (e == null || !e.isJsonObject()) {
        return null;
      }
      e = e.getAsJsonObject().get(key);
    }
    return e == null || e.isJsonNull() ? null : e;
  }
}
