package dev.groupcache.grpc.resolver;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A channel stand-in for driving a resolver directly: records what it is told, in order. */
final class Recorder extends NameResolver.Listener2 {
  final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
  final SynchronizationContext syncContext = new SynchronizationContext((t, e) -> uncaught.add(e));
  /** The service config parser hands the map itself back, so tests can look at it. */
  final NameResolver.Args args = NameResolver.Args.newBuilder()
      .setDefaultPort(443)
      .setProxyDetector(address -> null)
      .setSynchronizationContext(syncContext)
      .setServiceConfigParser(new NameResolver.ServiceConfigParser() {
        @Override
        public NameResolver.ConfigOrError parseServiceConfig(Map<String, ?> rawServiceConfig) {
          return NameResolver.ConfigOrError.fromConfig(rawServiceConfig);
        }
      })
      .build();
  /** {@link NameResolver.ResolutionResult}s and {@link Status}es (errors). */
  private final BlockingQueue<Object> heard = new LinkedBlockingQueue<>();

  @Override
  public void onResult(NameResolver.ResolutionResult result) {
    heard.add(result);
  }

  @Override
  public Status onResult2(NameResolver.ResolutionResult result) {
    heard.add(result);
    return Status.OK;
  }

  @Override
  public void onError(Status error) {
    heard.add(error);
  }

  /** Skips what is heard until a result that {@code wanted} accepts; fails after 20 s. */
  NameResolver.ResolutionResult awaitResult(Predicate<NameResolver.ResolutionResult> wanted) throws InterruptedException {
    return await(NameResolver.ResolutionResult.class, wanted, "no such result");
  }

  NameResolver.ResolutionResult awaitAddresses(String... addresses) throws InterruptedException {
    List<String> want = List.of(addresses);
    return awaitResult(r -> addresses(r).equals(want));
  }

  /** Skips results until an error; fails after 20 s. */
  Status awaitError() throws InterruptedException {
    return await(Status.class, s -> true, "no error");
  }

  /** Skips what is heard until a {@code type} that {@code wanted} accepts; fails after 20 s with {@code none}. */
  private <T> T await(Class<T> type, Predicate<? super T> wanted, String none) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    List<Object> skipped = new ArrayList<>();
    while (true) {
      Object o = heard.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (o == null) {
        throw new AssertionError(none + " within 20 s; heard " + skipped);
      }
      if (type.isInstance(o) && wanted.test(type.cast(o))) {
        return type.cast(o);
      }
      skipped.add(o);
    }
  }

  /** {@code ip:port} of each address, in order. */
  static List<String> addresses(NameResolver.ResolutionResult result) {
    List<String> out = new ArrayList<>();
    for (EquivalentAddressGroup group : result.getAddressesOrError().getValue()) {
      for (SocketAddress a : group.getAddresses()) {
        InetSocketAddress inet = (InetSocketAddress) a;
        out.add(inet.getAddress().getHostAddress() + ":" + inet.getPort());
      }
    }
    return out;
  }

  /** The name of the load-balancing policy in a result's service config. */
  static String policy(NameResolver.ResolutionResult result) {
    Map<?, ?> config = (Map<?, ?>) result.getServiceConfig().getConfig();
    List<?> lb = (List<?>) config.get("loadBalancingConfig");
    return ((Map<?, ?>) lb.get(0)).keySet().iterator().next().toString();
  }

  void start(NameResolver resolver) {
    syncContext.execute(() -> resolver.start(this));
  }

  void refresh(NameResolver resolver) {
    syncContext.execute(resolver::refresh);
  }

  void shutdown(NameResolver resolver) {
    syncContext.execute(resolver::shutdown);
  }
}
