package dev.groupcache.grpc.resolver;

import dev.groupcache.discovery.KubernetesAccess;
import io.grpc.Attributes;
import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.Status;
import io.grpc.StatusOr;
import io.grpc.SynchronizationContext;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One channel's resolver for one target: takes the views of the Service's shared watch and hands
 * them to the channel, with this target's port and the provider's service config.
 */
final class KubernetesNameResolver extends NameResolver implements ServiceWatch.Subscriber {
  private static final System.Logger LOG = System.getLogger(KubernetesNameResolver.class.getName());

  /**
   * Why the set is empty. pick_first, which fails the calls, prints the attributes it was given
   * in their error ("NameResolver returned no usable address. addrs=[], attrs={...}"); this puts
   * the reason there.
   */
  static final Attributes.Key<String> EMPTY_REASON = Attributes.Key.create("kubernetes-resolver");

  private final KubernetesTarget target;
  private final String authority;
  private final SharedWatches watches;
  private final KubernetesAccess access;
  private final SynchronizationContext syncContext;
  private final ConfigOrError serviceConfig;
  private final ConfigOrError noEndpointsConfig;
  // Confined to the channel's synchronization context:
  private Listener2 listener;
  private ServiceWatch watch; // null before start() and after shutdown()

  KubernetesNameResolver(KubernetesTarget target, String authority, SharedWatches watches, KubernetesAccess access,
      Map<String, ?> serviceConfig, Args args) {
    this.target = target;
    this.authority = authority;
    this.watches = watches;
    this.access = access;
    this.syncContext = args.getSynchronizationContext();
    this.serviceConfig = parse(args, serviceConfig);
    this.noEndpointsConfig = parse(args, ServiceConfigs.forNoEndpoints(serviceConfig));
  }

  private ConfigOrError parse(Args args, Map<String, ?> config) {
    ConfigOrError parsed = args.getServiceConfigParser().parseServiceConfig(config);
    if (parsed != null && parsed.getError() != null) {
      LOG.log(Level.WARNING, "{0}: the service config {1} is invalid: {2}", target, config, parsed.getError());
    }
    return parsed;
  }

  @Override
  public String getServiceAuthority() {
    return authority;
  }

  @Override
  public void start(Listener2 listener) {
    if (this.listener != null) {
      throw new IllegalStateException("already started");
    }
    this.listener = listener;
    watch = watches.acquire(target, access);
    watch.subscribe(this);
  }

  @Override
  public void refresh() {
    if (watch != null) {
      watch.refresh(this);
    }
  }

  @Override
  public void shutdown() {
    if (watch != null) {
      watch.unsubscribe(this);
      watches.release(watch);
      watch = null;
    }
  }

  /** On the watch's thread: builds the result there and hands it over in the channel's context. */
  @Override
  public void deliver(ServiceWatch.View view) {
    List<EquivalentAddressGroup> groups = new ArrayList<>(view.addresses().size());
    for (ServiceWatch.Address a : view.addresses()) {
      int port = target.port() > 0 ? target.port() : a.port();
      groups.add(new EquivalentAddressGroup(new InetSocketAddress(a.ip(), port)));
    }
    ResolutionResult.Builder result = ResolutionResult.newBuilder().setAddressesOrError(StatusOr.fromValue(groups));
    if (groups.isEmpty()) {
      String reason = view.error() != null ? view.error() : view.reason();
      result.setServiceConfig(noEndpointsConfig)
          .setAttributes(Attributes.newBuilder().set(EMPTY_REASON, reason).build());
    } else {
      result.setServiceConfig(serviceConfig);
    }
    ResolutionResult built = result.build();
    syncContext.execute(() -> {
      if (watch == null) { // shut down since the view was taken
        return;
      }
      // An empty list, with pick_first, drops every connection and fails calls at once; an error
      // then gives the failing calls its own message, and makes gRPC call refresh() with backoff.
      listener.onResult2(built);
      if (view.error() != null) {
        listener.onError(Status.UNAVAILABLE.withDescription(view.error()));
      }
    });
  }

  @Override
  public String toString() {
    return "KubernetesNameResolver{" + target + "}";
  }
}
