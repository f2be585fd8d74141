package dev.groupcache.recipes.spring;

import java.math.BigDecimal;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;

/** The recipe's service: Spring's caching annotations over the cluster's caches. */
@Service
public class PriceService {
  private final PriceBackend backend;
  private final String name = "put-" + System.getProperty("recipe.node", "?");

  public PriceService(PriceBackend backend) {
    this.backend = backend;
  }

  /** Cached by {@code sku}; an unknown sku's null is cached too, as Spring's {@code NullValue}. */
  @Cacheable("prices")
  public Price price(String sku) {
    return backend.load(sku);
  }

  /** Cached by both arguments, as Spring's {@code SimpleKey}. */
  @Cacheable("quotes")
  public Price quote(String sku, int quantity) {
    Price price = backend.load(sku);
    return new Price(sku, price.amount().multiply(BigDecimal.valueOf(quantity)), price.source());
  }

  @CachePut(cacheNames = "prices", key = "#sku")
  public Price set(String sku, BigDecimal amount) {
    backend.store(sku, amount);
    return new Price(sku, amount, name);
  }

  @CacheEvict("prices")
  public void evict(String sku) {}

  @CacheEvict(cacheNames = "prices", allEntries = true)
  public void evictAll() {}
}
