package dev.groupcache.recipes.spring;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import javax.cache.Cache;
import javax.cache.CacheManager;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One JVM of the Spring Boot recipe, driven by the child-JVM line protocol: each command calls
 * the {@link PriceService} and answers one line, with this JVM's backend load count.
 */
@SpringBootApplication
@EnableCaching
public class CatalogApplication {
  public static void main(String[] args) throws Exception {
    try (ConfigurableApplicationContext context = SpringApplication.run(CatalogApplication.class, args)) {
      PriceService service = context.getBean(PriceService.class);
      PriceBackend backend = context.getBean(PriceBackend.class);
      CacheManager manager = context.getBean(org.springframework.cache.jcache.JCacheCacheManager.class).getCacheManager();
      System.out.println("> ready");
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null; ) {
        String[] c = line.trim().split(" ");
        String answer;
        try {
          answer = switch (c[0]) {
            case "probe" -> probe(manager);
            case "price" -> service.price(c[1]) + " loads=" + backend.loads();
            case "quote" -> service.quote(c[1], Integer.parseInt(c[2])) + " loads=" + backend.loads();
            case "set" -> service.set(c[1], new BigDecimal(c[2])) + " loads=" + backend.loads();
            case "evict" -> {
              service.evict(c[1]);
              yield "evicted";
            }
            case "evict-all" -> {
              service.evictAll();
              yield "evicted";
            }
            default -> "unknown command " + c[0];
          };
        } catch (RuntimeException e) {
          e.printStackTrace();
          answer = "error " + e;
        }
        System.out.println("> " + answer.replace('\n', ' '));
      }
    }
  }

  /**
   * Whether this node can write keys of every owner, in the {@code prices} cache under keys the
   * test never uses. Until every member is up and found, some fail.
   */
  private static String probe(CacheManager manager) {
    Cache<Object, Object> prices = manager.getCache("prices");
    for (int i = 0; i < 32; i++) {
      prices.put("probe-" + i, "v" + i);
      if (!("v" + i).equals(prices.get("probe-" + i))) {
        return "not yet";
      }
    }
    return "ok";
  }
}
