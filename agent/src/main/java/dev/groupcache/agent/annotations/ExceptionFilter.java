package dev.groupcache.agent.annotations;

/**
 * Which exceptions thrown by an annotated method still lead to its cache operation: the rules
 * JSR-107 gives for {@code cachedExceptions}/{@code nonCachedExceptions}, {@code
 * cacheFor}/{@code noCacheFor} and {@code evictFor}/{@code noEvictFor} alike. An exception
 * matches if it is an instance of an included class (or none are listed) and of no excluded class;
 * with neither list, the annotation decides.
 */
final class ExceptionFilter {
  private final Class<? extends Throwable>[] included;
  private final Class<? extends Throwable>[] excluded;
  private final boolean withNeither;

  /**
   * @param withNeither whether every exception matches when both lists are empty: true for
   *     {@code @CacheResult}'s exception cache, false for the other annotations
   */
  ExceptionFilter(
      Class<? extends Throwable>[] included, Class<? extends Throwable>[] excluded, boolean withNeither) {
    this.included = included.clone();
    this.excluded = excluded.clone();
    this.withNeither = withNeither;
  }

  boolean matches(Throwable thrown) {
    if (included.length == 0 && excluded.length == 0) {
      return withNeither;
    }
    return (included.length == 0 || instanceOfAny(thrown, included)) && !instanceOfAny(thrown, excluded);
  }

  private static boolean instanceOfAny(Throwable thrown, Class<? extends Throwable>[] types) {
    for (Class<? extends Throwable> type : types) {
      if (type.isInstance(thrown)) {
        return true;
      }
    }
    return false;
  }
}
