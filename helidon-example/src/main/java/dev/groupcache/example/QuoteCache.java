package dev.groupcache.example;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.integration.CacheLoader;

/**
 * The {@code quotes} cache, shared by every instance of the service: read-through, so a missing
 * quote is loaded once in the whole cluster, by the node that owns its symbol, and every other node
 * gets it from there. Only the standard JSR-107 API is used; which provider answers (a dependency
 * or the agent) is the class path's business.
 */
@ApplicationScoped
public class QuoteCache {
  static final String NAME = "quotes";

  private final CacheManager manager;
  private final Cache<String, String> cache;

  @Inject
  QuoteCache(QuoteBackend backend) {
    this.manager = Caching.getCachingProvider().getCacheManager();
    Cache<String, String> existing = manager.getCache(NAME, String.class, String.class);
    this.cache = existing != null ? existing : manager.createCache(NAME, new MutableConfiguration<String, String>()
        .setTypes(String.class, String.class)
        .setReadThrough(true)
        .setCacheLoaderFactory(FactoryBuilder.factoryOf(new BackendLoader(backend)))
        .setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(new Duration(TimeUnit.MINUTES, 10)))
        .setStatisticsEnabled(true));
  }

  /** For CDI's proxy. */
  QuoteCache() {
    this.manager = null;
    this.cache = null;
  }

  /** Starts the node with the application rather than at the first request. */
  void start(@Observes @Initialized(ApplicationScoped.class) Object started) {
    cache.getName();
  }

  /** The quote of {@code symbol}: from the cluster, or loaded by the symbol's owner. */
  public String get(String symbol) {
    return cache.get(symbol);
  }

  /** Drops {@code symbol}'s quote on every node; returns whether there was one. */
  public boolean remove(String symbol) {
    return cache.remove(symbol);
  }

  @PreDestroy
  void close() {
    manager.close();
  }

  /** The read-through loader: the backend, called at the owner of the symbol. */
  private static final class BackendLoader implements CacheLoader<String, String>, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final transient QuoteBackend backend;

    BackendLoader(QuoteBackend backend) {
      this.backend = backend;
    }

    @Override
    public String load(String symbol) {
      return backend.quote(symbol);
    }

    @Override
    public Map<String, String> loadAll(Iterable<? extends String> symbols) {
      Map<String, String> quotes = new HashMap<>();
      for (String symbol : symbols) {
        quotes.put(symbol, backend.quote(symbol));
      }
      return quotes;
    }
  }
}
