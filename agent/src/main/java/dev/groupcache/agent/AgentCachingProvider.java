package dev.groupcache.agent;

import java.net.URI;
import java.util.Properties;
import javax.cache.CacheManager;
import javax.cache.configuration.OptionalFeature;
import javax.cache.spi.CachingProvider;

/**
 * The provider the application's {@code Caching.getCachingProvider()} finds when it runs with the
 * agent: a stand-in, loaded by the application's class loader, for the real provider inside the
 * agent's own loader. Every call goes to the real one; the first waits for the agent's start.
 */
public final class AgentCachingProvider implements CachingProvider {
  private static CachingProvider delegate() {
    return AgentState.provider();
  }

  @Override
  public CacheManager getCacheManager(URI uri, ClassLoader classLoader, Properties properties) {
    return delegate().getCacheManager(uri, classLoader, properties);
  }

  @Override
  public ClassLoader getDefaultClassLoader() {
    return delegate().getDefaultClassLoader();
  }

  @Override
  public URI getDefaultURI() {
    return delegate().getDefaultURI();
  }

  @Override
  public Properties getDefaultProperties() {
    return delegate().getDefaultProperties();
  }

  @Override
  public CacheManager getCacheManager(URI uri, ClassLoader classLoader) {
    return delegate().getCacheManager(uri, classLoader);
  }

  @Override
  public CacheManager getCacheManager() {
    return delegate().getCacheManager();
  }

  @Override
  public void close() {
    delegate().close();
  }

  @Override
  public void close(ClassLoader classLoader) {
    delegate().close(classLoader);
  }

  @Override
  public void close(URI uri, ClassLoader classLoader) {
    delegate().close(uri, classLoader);
  }

  @Override
  public boolean isSupported(OptionalFeature optionalFeature) {
    return delegate().isSupported(optionalFeature);
  }
}
