package dev.groupcache.example;

import jakarta.json.spi.JsonProvider;

/** The JSON provider, looked up once: each {@code Json.createX} call scans the class path for one anew. */
final class Jsons {
  static final JsonProvider JSON = JsonProvider.provider();

  private Jsons() {}
}
