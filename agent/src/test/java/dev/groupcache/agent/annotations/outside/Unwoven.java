package dev.groupcache.agent.annotations.outside;

import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.annotation.CacheResult;

/** Annotated, but outside the package prefixes woven. */
public class Unwoven {
  public final AtomicInteger calls = new AtomicInteger();

  @CacheResult(cacheName = "unwoven")
  public String find(String id) {
    calls.incrementAndGet();
    return id;
  }
}
