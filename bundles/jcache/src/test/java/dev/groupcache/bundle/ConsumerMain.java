package dev.groupcache.bundle;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;

/**
 * An application that depends on the self-contained jar: it is started with that jar, the JSR-107
 * API and the MicroProfile Config API on its class path and nothing else of ours, and uses the JCache
 * API only. Driven by ChildJvm's line protocol: it answers {@code ready} (or {@code failed: } and
 * the causes) once its cache is open, then {@code put k v}, {@code get k} and {@code natives}.
 */
public final class ConsumerMain {
  /** Netty's classes as the bundle relocates them. */
  static final String NETTY = "dev.groupcache.shaded.io.grpc.netty.shaded.io.netty.";

  private ConsumerMain() {}

  public static void main(String[] args) throws Exception {
    Cache<String, String> cache;
    try {
      CacheManager manager = Caching.getCachingProvider().getCacheManager();
      cache = manager.createCache("orders", new MutableConfiguration<String, String>().setTypes(String.class, String.class));
    } catch (RuntimeException | LinkageError e) {
      answer("failed: " + causes(e));
      return;
    }
    answer("ready");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String[] w = line.split(" ");
      try {
        switch (w[0]) {
          case "put" -> {
            cache.put(w[1], w[2]);
            answer("ok");
          }
          case "get" -> answer(String.valueOf(cache.get(w[1])));
          case "natives" -> answer(available("handler.ssl.OpenSsl") + " " + available("channel.epoll.Epoll"));
          default -> answer("unknown command " + line);
        }
      } catch (RuntimeException e) {
        answer("error: " + causes(e));
      }
    }
  }

  /** Whether the relocated Netty class says its native library loaded, or why not. */
  private static String available(String netty) throws ReflectiveOperationException {
    Class<?> c = Class.forName(NETTY + netty);
    if ((boolean) c.getMethod("isAvailable").invoke(null)) {
      return "yes";
    }
    Throwable cause = (Throwable) c.getMethod("unavailabilityCause").invoke(null);
    return "no(" + String.valueOf(cause).replace(' ', '_') + ")";
  }

  private static String causes(Throwable e) {
    List<String> all = new ArrayList<>();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.add(t.toString());
    }
    return String.join(" <- ", all);
  }

  private static void answer(String s) {
    System.out.println("> " + s);
    System.out.flush();
  }
}
