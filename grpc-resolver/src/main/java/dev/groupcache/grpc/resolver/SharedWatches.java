package dev.groupcache.grpc.resolver;

import dev.groupcache.discovery.KubernetesAccess;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The watches of one provider, counted: the first resolver for a Service starts its watch, the
 * others share it, and the last one to shut down stops it. A channel that goes idle shuts its
 * resolver down, so an idle client holds no watch open on the API server.
 */
final class SharedWatches {
  private final Map<ServiceWatch.Key, ServiceWatch> watches = new HashMap<>();

  /** The watch for {@code target} (whose namespace is known), started if it is new. */
  synchronized ServiceWatch acquire(KubernetesTarget target, KubernetesAccess access) {
    ServiceWatch.Key key = ServiceWatch.Key.of(target);
    ServiceWatch watch = watches.get(key);
    if (watch == null) {
      watch = new ServiceWatch(key, access);
      watch.start();
      watches.put(key, watch);
    }
    watch.references++;
    return watch;
  }

  /** Gives a watch back; closes it if nobody else holds it. */
  synchronized void release(ServiceWatch watch) {
    if (--watch.references == 0) {
      watches.remove(watch.key(), watch);
      watch.close();
    }
  }

  synchronized List<ResolverStats> stats() {
    List<ResolverStats> stats = new ArrayList<>();
    for (ServiceWatch watch : watches.values()) {
      stats.add(watch.stats(watch.references));
    }
    stats.sort(Comparator.comparing(ResolverStats::namespace).thenComparing(ResolverStats::service)
        .thenComparing(ResolverStats::port));
    return List.copyOf(stats);
  }
}
