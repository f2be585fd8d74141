package dev.groupcache.jcache.integration;

import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;

/**
 * Closes what a cache made from its configuration's factories, as JSR-107 requires when the cache
 * closes: loaders, writers, expiry policies, listeners and filters that are {@link Closeable}.
 */
public final class Closeables {
  private static final System.Logger LOG = System.getLogger(Closeables.class.getName());

  private Closeables() {}

  public static void close(Object... objects) {
    for (Object o : objects) {
      if (o instanceof Closeable) {
        try {
          ((Closeable) o).close();
        } catch (IOException | RuntimeException e) {
          LOG.log(Level.WARNING, "closing " + o + " failed", e);
        }
      }
    }
  }
}
