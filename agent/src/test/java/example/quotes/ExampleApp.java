package example.quotes;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheLoader;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * A plain Java application that knows only the JSR-107 API: run with the agent, its caches are
 * shared by every JVM of the cluster. The tests drive it one command per stdin line and read the
 * answers ({@code "> "} lines) from stdout.
 *
 * <ul>
 *   <li>{@code quote S}: {@link QuoteService#quote}, cached by {@code @CacheResult};
 *   <li>{@code price S}: a read-through cache, loaded once per key across the cluster;
 *   <li>{@code put K V}, {@code get K}: a plain cache;
 *   <li>{@code computed}, {@code loads}: how often this JVM ran the method and the loader;
 *   <li>{@code node}: the node's health, from JMX; {@code libs}: where this JVM's libraries come
 *       from; {@code provider}: the provider's class.
 * </ul>
 */
public final class ExampleApp {
  static final AtomicInteger LOADS = new AtomicInteger();

  /** The read-through cache's loader: slow, and counted. */
  public static final class PriceLoader implements CacheLoader<String, String> {
    @Override
    public String load(String symbol) {
      LOADS.incrementAndGet();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return symbol + "=" + ProcessHandle.current().pid();
    }

    @Override
    public java.util.Map<String, String> loadAll(Iterable<? extends String> keys) {
      java.util.Map<String, String> all = new java.util.HashMap<>();
      keys.forEach(k -> all.put(k, load(k)));
      return all;
    }
  }

  private ExampleApp() {}

  public static void main(String[] args) throws Exception {
    QuoteService quotes = new QuoteService();
    CacheManager manager = Caching.getCachingProvider().getCacheManager();
    Cache<String, String> prices = manager.createCache("prices",
        new MutableConfiguration<String, String>().setTypes(String.class, String.class)
            .setReadThrough(true).setCacheLoaderFactory(FactoryBuilder.factoryOf(PriceLoader.class)));
    Cache<String, String> plain = manager.createCache("plain",
        new MutableConfiguration<String, String>().setTypes(String.class, String.class));
    System.out.println("> ready");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String[] c = line.trim().split(" ");
      String answer;
      try {
        answer = switch (c[0]) {
          case "quote" -> quotes.quote(c[1]);
          case "price" -> prices.get(c[1]);
          case "put" -> {
            plain.put(c[1], c[2]);
            yield "ok";
          }
          case "get" -> String.valueOf(plain.get(c[1]));
          case "computed" -> String.valueOf(quotes.computed());
          case "loads" -> String.valueOf(LOADS.get());
          case "node" -> node();
          case "libs" -> libs();
          case "provider" -> Caching.getCachingProvider().getClass().getName();
          case "exit" -> {
            System.out.println("> bye");
            System.exit(0);
            yield "";
          }
          default -> "unknown command " + c[0];
        };
      } catch (RuntimeException e) {
        answer = "error " + e;
      }
      System.out.println("> " + answer);
    }
  }

  /** The node's health as a probe reads it: JMX, no groupcache classes needed. */
  private static String node() throws Exception {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    ObjectName name = new ObjectName("dev.groupcache:type=Node");
    if (!server.isRegistered(name)) {
      return "none";
    }
    return "ready=" + server.getAttribute(name, "Ready") + " local-only=" + server.getAttribute(name, "LocalOnly")
        + " peers=" + ((String[]) server.getAttribute(name, "Peers")).length
        + " nodes=" + server.queryNames(new ObjectName("dev.groupcache:type=Node,*"), null).size();
  }

  /**
   * Uses the application's own libraries, found by name (the application is compiled without
   * them), and says which jar each came from.
   */
  private static String libs() throws Exception {
    List<String> out = new ArrayList<>();
    // each class, and how it is used: a static method's name, "new", or null for loading it only
    String[][] probes = {
      {"com.google.common.collect.ImmutableList", "of"},
      {"com.google.gson.Gson", "new"},
      {"okhttp3.OkHttpClient", "new"},
      {"io.netty.util.Version", "identify"},
      {"io.grpc.Status", null},
      {"com.google.protobuf.ByteString", null},
      {"kotlin.KotlinVersion", null},
    };
    for (String[] p : probes) {
      Class<?> c = Class.forName(p[0]);
      if ("new".equals(p[1])) {
        c.getConstructor().newInstance();
      } else if (p[1] != null) {
        c.getMethod(p[1]).invoke(null);
      }
      String jar = c.getProtectionDomain().getCodeSource().getLocation().getPath();
      out.add(p[0] + "=" + jar.substring(jar.lastIndexOf('/') + 1));
    }
    Object gson = Class.forName("com.google.gson.Gson").getConstructor().newInstance();
    out.add("gson.toJson=" + gson.getClass().getMethod("toJson", Object.class).invoke(gson, List.of(1, 2)));
    return String.join(" ", out);
  }
}
