package example.quotes;

import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.annotation.CacheDefaults;
import javax.cache.annotation.CacheResult;

/**
 * A service with a slow method whose results the JSR-107 annotations cache, in plain Java: with
 * {@code -javaagent:groupcache-agent.jar=weave=example.}, no framework, no groupcache dependency.
 */
@CacheDefaults(cacheName = "quotes")
public class QuoteService {
  private final AtomicInteger computed = new AtomicInteger();

  /** A quote for a symbol, as slow to compute as a call to a pricing service. */
  @CacheResult
  public String quote(String symbol) {
    computed.incrementAndGet();
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return symbol + "@" + ProcessHandle.current().pid() + "#" + System.nanoTime();
  }

  /** How many times this JVM ran {@link #quote}: the calls the cache did not answer. */
  public int computed() {
    return computed.get();
  }
}
