package dev.groupcache.recipes.spring;

import java.math.BigDecimal;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/**
 * This JVM's system of record, counting its loads: a read that the cache answers does not reach
 * it, so the count tells a hit from a miss.
 */
@Component
public class PriceBackend {
  private final Map<String, BigDecimal> prices =
      new ConcurrentHashMap<>(Map.of("apple", new BigDecimal("1.00"), "pear", new BigDecimal("2.00")));
  private final AtomicInteger loads = new AtomicInteger();
  private final String name = "node-" + System.getProperty("recipe.node", "?");

  /** The price of {@code sku} as this JVM's backend has it, or null if it has none. */
  public Price load(String sku) {
    loads.incrementAndGet();
    BigDecimal amount = prices.get(sku);
    return amount == null ? null : new Price(sku, amount, name);
  }

  public void store(String sku, BigDecimal amount) {
    prices.put(sku, amount);
  }

  public int loads() {
    return loads.get();
  }
}
