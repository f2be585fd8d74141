package dev.groupcache.agent.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import domain.Blog;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import javax.cache.Caching;
import javax.cache.annotation.BeanProvider;
import manager.BlogManager;
import manager.ClassLevelCacheConfigBlogManagerImpl;
import org.junit.jupiter.api.Test;

/**
 * Runs beside the TCK's annotation tests, in their JVM, to show that they are not vacuous: the
 * TCK skips them silently when it finds no {@link BeanProvider}, and they would fail, not pass,
 * without the weaving. Here both are checked directly.
 */
class TckWovenTest {
  @Test
  void theTckFindsOurBeanProvider() {
    assertEquals("dev.groupcache.agent.tck.InstantiatingBeanProvider",
        ServiceLoader.load(BeanProvider.class).stream().map(p -> p.type().getName()).collect(Collectors.joining(",")));
  }

  @Test
  void theTckDomainClassesAreWovenByTheAgent() {
    assertEquals("dev.groupcache.agent.AgentCachingProvider", Caching.getCachingProvider().getClass().getName());
    BlogManager blogs = new InstantiatingBeanProvider().getBeanByType(ClassLevelCacheConfigBlogManagerImpl.class);
    blogs.createEntry(new Blog("woven", "body"));
    assertEquals("body", blogs.getEntryCached("woven").getBody());
    blogs.clearEntry("woven");
    Blog cached = blogs.getEntryCached("woven");
    assertNotNull(cached, "answered by the cache the agent wove in, not by the method");
    assertEquals("body", cached.getBody());
    assertTrue(Caching.getCachingProvider().getCacheManager().getCache("blgMngr") != null);
    blogs.clearCache();
  }
}
