package dev.groupcache.discovery;

import dev.groupcache.discovery.fake.FakeApiServer;
import io.kubernetes.client.util.ClientBuilder;
import java.time.Duration;
import java.util.function.Supplier;

/** Test helpers: sources against the fake API server, and bounded waits. */
final class Sources {
  private Sources() {}

  /** A source for {@code config}, reaching {@code api} over plain HTTP in namespace {@code shop}. */
  static PeerSource against(FakeApiServer api, DiscoveryConfig.Builder config) {
    KubernetesAccess access = KubernetesAccess.of(
        new ClientBuilder().setBasePath(api.baseUrl()).setReadTimeout(Duration.ZERO).build(), "shop");
    return Discovery.create(config.access(access).build());
  }

  /** Waits up to 30 s for {@code condition}; fails with {@code what} otherwise. */
  static void awaitTrue(Supplier<Boolean> condition, Supplier<String> what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out: " + what.get());
      }
      Thread.sleep(10);
    }
  }
}
