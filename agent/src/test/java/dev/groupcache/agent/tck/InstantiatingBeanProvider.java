package dev.groupcache.agent.tck;

import java.lang.reflect.InvocationTargetException;
import javax.cache.annotation.BeanProvider;

/**
 * Hands the JSR-107 TCK's annotation tests their annotated beans: plain instances, made with the
 * no-argument constructor. Their caching comes from the agent's weaving, not from a container.
 */
public final class InstantiatingBeanProvider implements BeanProvider {
  @Override
  public <T> T getBeanByType(Class<T> beanClass) {
    try {
      return beanClass.getDeclaredConstructor().newInstance();
    } catch (InvocationTargetException e) {
      throw new IllegalStateException("The constructor of " + beanClass.getName() + " failed", e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Cannot instantiate " + beanClass.getName(), e);
    }
  }
}
