package dev.groupcache.agent;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.cache.CacheException;
import javax.cache.spi.CachingProvider;

/**
 * Where the agent's start, running in the background, leaves its outcome for the application's
 * first call to {@code Caching.getCachingProvider()}: the provider, or why there is none.
 */
final class AgentState {
  /** Set once an agent has started in this JVM; a second attach sees it and does nothing. */
  static final String INSTALLED = "dev.groupcache.agent.installed";
  private static final long WAIT_SECONDS = 60;

  private static final CountDownLatch DONE = new CountDownLatch(1);
  private static volatile CachingProvider provider;
  private static volatile Throwable failure;

  private AgentState() {}

  static void started(CachingProvider p) {
    provider = p;
    DONE.countDown();
  }

  static void failed(Throwable t) {
    failure = t;
    DONE.countDown();
  }

  /** The provider, once the agent has started; waits for a start still under way. */
  static CachingProvider provider() {
    if (System.getProperty(INSTALLED) == null) {
      throw new CacheException("the groupcache agent is not running in this JVM: start it with "
          + "-javaagent:groupcache-agent.jar");
    }
    try {
      if (!DONE.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new CacheException("the groupcache agent did not start within " + WAIT_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheException("interrupted while the groupcache agent was starting", e);
    }
    if (failure != null) {
      throw new CacheException("the groupcache agent could not start: " + failure.getMessage(), failure);
    }
    return provider;
  }
}
