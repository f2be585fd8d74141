/**
 * The JSR-107 caching annotations ({@code javax.cache.annotation}) for plain Java: what the code
 * that the agent weaves into annotated methods calls at run time.
 *
 * <p>These classes are loaded by the application's class loader, next to the classes they serve,
 * and use only the JDK and the JSR-107 API; caches are resolved through {@code
 * Caching.getCachingProvider()} unless a {@code CacheResolverFactory} says otherwise. Only {@link
 * dev.groupcache.agent.annotations.CacheInterception}, which woven code calls, and {@link
 * dev.groupcache.agent.annotations.MethodKey}, the default key, are public.
 */
package dev.groupcache.agent.annotations;
