package dev.groupcache.recipes.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.testing.ChildJvm;
import dev.groupcache.testing.FreePorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The README's Spring Boot recipe on three JVMs: {@code @Cacheable}, {@code @CachePut} and {@code
 * @CacheEvict} on one JVM are seen by the others' next calls. Each JVM has a backend of its own
 * that counts its loads, so an answer says whether the cluster's cache or this JVM's backend gave
 * it. The allowlist is the {@code spring} preset and the application's types, in {@code
 * META-INF/microprofile-config.properties}.
 */
class SpringBootCachingTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Path LOGS = Path.of("target", "catalog-node-logs");

  private final List<ChildJvm> nodes = new ArrayList<>();

  @BeforeEach
  void start() {
    List<String> peers = new ArrayList<>();
    for (int port : FreePorts.take(3)) {
      peers.add("127.0.0.1:" + port);
    }
    for (String self : peers) {
      nodes.add(ChildJvm.start("catalog-node-" + nodes.size(), null, List.of(
              "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
              "-Drecipe.node=" + nodes.size(),
              "-Dgroupcache.static.peers=" + String.join(",", peers),
              "-Dgroupcache.self=" + self,
              "-Dgroupcache.port=" + self.substring(self.indexOf(':') + 1),
              "-Dgroupcache.bind-host=127.0.0.1",
              "-Dgroupcache.handover-timeout=0"), // all three stop together: no one to hand over to
          CatalogApplication.class.getName(), List.of(), LOGS));
    }
    for (ChildJvm node : nodes) {
      assertEquals("ready", node.await("ready", WAIT));
    }
    for (int i = 0; i < nodes.size(); i++) {
      awaitAnswer(i, "probe", "ok");
    }
  }

  @AfterEach
  void stop() {
    nodes.forEach(node -> node.terminate(Duration.ofSeconds(15)));
    nodes.forEach(ChildJvm::close);
  }

  @Test
  void cacheableCachePutAndCacheEvictActForTheWholeCluster() {
    // @Cacheable: loaded once, by the first JVM that asks; the others get that value, loading nothing.
    assertEquals("apple 1.00 node-0 loads=1", call(0, "price apple"));
    assertEquals("apple 1.00 node-0 loads=0", call(1, "price apple"));
    assertEquals("apple 1.00 node-0 loads=0", call(2, "price apple"));

    // A null result is cached too (Spring's NullValue).
    assertEquals("null loads=1", call(2, "price durian"));
    assertEquals("null loads=0", call(1, "price durian"));

    // Several arguments make one key (Spring's SimpleKey); other arguments, another key.
    assertEquals("pear 6.00 node-1 loads=1", call(1, "quote pear 3"));
    assertEquals("pear 6.00 node-1 loads=1", call(0, "quote pear 3"));
    assertEquals("pear 8.00 node-2 loads=2", call(2, "quote pear 4"));

    // @CachePut on one JVM: every JVM's next @Cacheable call returns the new value.
    assertEquals("apple 1.20 put-1 loads=1", call(1, "set apple 1.20"));
    assertEquals("apple 1.20 put-1 loads=1", call(0, "price apple"));
    assertEquals("apple 1.20 put-1 loads=2", call(2, "price apple"));
    assertEquals("apple 1.20 put-1 loads=1", call(1, "price apple"));

    // @CacheEvict on one JVM: every JVM's next call misses, and the first one loads it again.
    assertEquals("evicted", call(2, "evict apple"));
    assertEquals("apple 1.00 node-0 loads=2", call(0, "price apple"));
    assertEquals("apple 1.00 node-0 loads=2", call(2, "price apple"));

    // @CacheEvict(allEntries = true): the whole cache, on every member.
    assertEquals("pear 2.00 node-2 loads=3", call(2, "price pear"));
    assertEquals("evicted", call(0, "evict-all"));
    assertEquals("pear 2.00 node-1 loads=2", call(1, "price pear"));
    assertEquals("apple 1.20 node-1 loads=3", call(1, "price apple"));
    assertEquals("null loads=3", call(0, "price durian"));
    assertEquals("apple 1.20 node-1 loads=3", call(2, "price apple"));
  }

  private void awaitAnswer(int i, String command, String expected) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    String answer;
    while (!(answer = call(i, command)).equals(expected)) {
      assertTrue(System.nanoTime() - deadline < 0, "node " + i + " " + command + ": " + answer);
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  private String call(int i, String command) {
    String answer = nodes.get(i).call(command, WAIT);
    assertTrue(!answer.startsWith("error "), "node " + i + " " + command + ": " + answer);
    return answer;
  }
}
