package dev.groupcache.jcache.cluster;

import dev.groupcache.ByteView;
import dev.groupcache.Node;
import dev.groupcache.PeerHandler;
import dev.groupcache.jcache.configuration.Settings;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.UnaryOperator;

/**
 * A member in the test's JVM over real gRPC: a node on a free port of 127.0.0.1 with its cache
 * service, one cache open on it with no copies and no listeners.
 */
record Member(Node node, CacheService service) {
  /**
   * Starts a member with {@code cache} open (none if null) and {@code backups} for every cache; both
   * are added to {@code closing}, to be closed in reverse.
   */
  static Member start(ScheduledExecutorService timer, String cache, int backups, List<AutoCloseable> closing)
      throws IOException {
    return start(timer, cache, backups, closing, System::nanoTime);
  }

  /** As {@link #start(ScheduledExecutorService, String, int, List)}, on the clock {@code ticker}. */
  static Member start(ScheduledExecutorService timer, String cache, int backups, List<AutoCloseable> closing,
      com.github.benmanes.caffeine.cache.Ticker ticker) throws IOException {
    return start(timer, cache, backups, closing, ticker, Duration.ofSeconds(2));
  }

  /** As {@link #start(ScheduledExecutorService, String, int, List)}, on the clock {@code ticker}, with that invalidation timeout. */
  static Member start(ScheduledExecutorService timer, String cache, int backups, List<AutoCloseable> closing,
      com.github.benmanes.caffeine.cache.Ticker ticker, Duration invalidationTimeout) throws IOException {
    return start(timer, cache, backups, closing, ticker, invalidationTimeout, UnaryOperator.identity());
  }

  /** As above, its service reached by peers through {@code wrap} of it (a test's stand-in for a member's behaviour). */
  static Member start(ScheduledExecutorService timer, String cache, int backups, List<AutoCloseable> closing,
      com.github.benmanes.caffeine.cache.Ticker ticker, Duration invalidationTimeout, UnaryOperator<PeerHandler> wrap)
      throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Node node = Node.builder().self("127.0.0.1:" + port).port(port).bindHost("127.0.0.1").build();
    CacheService service = new CacheService(node, timer, name -> new Settings.CacheSettings(name, 64 << 20, 0.25,
        Duration.ofSeconds(10), false, false, Duration.ofSeconds(30), backups), invalidationTimeout,
        Duration.ofSeconds(2), ticker);
    node.registerService(CacheService.NAME, wrap.apply(service));
    if (cache != null) {
      service.receive(cache, new OpenCache());
    }
    closing.add(node);
    closing.add(service);
    return new Member(node, service);
  }

  String address() {
    return node.self().toString();
  }

  /** The members a test started, on one timer; closed after the test, last started first. */
  static final class Started {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<AutoCloseable> closing = new ArrayList<>();

    /** A member with {@code cache} open and {@code backups} for every cache. */
    Member start(String cache, int backups) throws IOException {
      return Member.start(timer, cache, backups, closing);
    }

    /** As {@link #start(String, int)}, with that invalidation timeout. */
    Member start(String cache, int backups, Duration invalidationTimeout) throws IOException {
      return Member.start(timer, cache, backups, closing, System::nanoTime, invalidationTimeout);
    }

    /** As {@link #start(String, int)}, on the clock {@code ticker}, with that invalidation timeout, reached through {@code wrap}. */
    Member start(String cache, int backups, com.github.benmanes.caffeine.cache.Ticker ticker, Duration invalidationTimeout,
        UnaryOperator<PeerHandler> wrap) throws IOException {
      return Member.start(timer, cache, backups, closing, ticker, invalidationTimeout, wrap);
    }

    /** As {@link #start(String, int)}, on the clock {@code ticker}. */
    Member start(String cache, int backups, com.github.benmanes.caffeine.cache.Ticker ticker) throws IOException {
      return Member.start(timer, cache, backups, closing, ticker);
    }

    /** Closes them, last started first, and the timer. */
    void close() throws Exception {
      for (int i = closing.size() - 1; i >= 0; i--) {
        closing.get(i).close();
      }
      timer.shutdownNow();
    }
  }

  /**
   * A cache open on a member with no copies: with no listeners, or with listeners (of that kind)
   * that record the types of the events they hear.
   */
  static final class OpenCache implements CacheService.Receiver {
    final List<dev.groupcache.jcache.proto.EventType> heard = new CopyOnWriteArrayList<>();
    private final CacheService.Listening listening;

    OpenCache() {
      this(CacheService.Listening.NONE);
    }

    OpenCache(CacheService.Listening listening) {
      this.listening = listening;
    }

    @Override
    public CompletableFuture<String> apply(dev.groupcache.jcache.proto.Event event) {
      if (listening != CacheService.Listening.NONE) {
        heard.add(event.getType());
      }
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void clearCopies() {}

    @Override
    public void dropCopy(ByteView key) {}

    @Override
    public CacheService.Listening listening() {
      return listening;
    }
  }
}
