package dev.groupcache.grpc.resolver;

import dev.groupcache.discovery.KubernetesAccess;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Resolves {@code kubernetes:} targets ({@link KubernetesTarget} lists the forms) to the ready
 * endpoints of a Service, from all of its EndpointSlices, watched through the API server.
 *
 * <p>Registered through {@link java.util.ServiceLoader}, so that on the classpath
 * {@code Grpc.newChannelBuilder("kubernetes:///orders.shop:8080", credentials)} just works, with
 * the API reached as {@link KubernetesAccess#auto()} decides (the pod's service account in a
 * cluster, else the kubeconfig) when the first channel resolves. For other settings,
 * {@link #builder()} makes a provider to pass to
 * {@code Grpc.newChannelBuilder(target, credentials, registry)} or to register on a
 * {@link io.grpc.NameResolverRegistry}; built providers have priority 6, so one registered on the
 * default registry replaces the ServiceLoader's (priority 5).
 *
 * <p>What the channels are told:
 * <ul>
 *   <li>every ready endpoint (a missing {@code ready} condition counts as ready, as the API defines
 *       it; terminating endpoints are left out), each change as soon as the watch sees it;
 *   <li>an empty list when no endpoint is ready, so calls fail at once with UNAVAILABLE instead of
 *       going to pods that have left (with pick_first for that moment, see below);
 *   <li>an error naming the Service when it has no EndpointSlice at all (no such Service), when
 *       the target's port name is not one of its ports, or when the API server refuses the watch
 *       (403, naming the Role rule that is missing), until the first sync;
 *   <li>a service config: {@code round_robin} unless {@link Builder#serviceConfig} says otherwise,
 *       with {@code healthCheckConfig} if {@link Builder#healthCheck} is set.
 * </ul>
 * A channel built with {@code disableServiceConfigLookUp()} ignores that config and uses its own
 * default. The config handed over while the set is empty has {@code pick_first} as its policy,
 * because grpc-java's round_robin ignores an empty list while any of its connections is up.
 * Once a watch has synced, a later failure of it (a revoked Role, an API server outage) leaves the
 * channels with the last set they had: the watch recovers on its own, and the pods are still
 * likely there. {@link #stats()} shows such failures.
 *
 * <p>All channels of one provider that target the same Service share one watch (one per port
 * name; targets with port numbers share one whatever the number), which stops when the last of
 * their resolvers shuts down.
 */
public final class KubernetesNameResolverProvider extends NameResolverProvider {
  /** The scheme the ServiceLoader's provider, and built ones unless told otherwise, resolve. */
  public static final String SCHEME = "kubernetes";

  private final String scheme;
  private final int priority;
  private final Map<String, ?> serviceConfig;
  private final Function<KubernetesTarget, String> authority;
  private final SharedWatches watches = new SharedWatches();
  private KubernetesAccess access; // guarded by this; null until first needed when not configured

  /** The ServiceLoader's provider: scheme {@value #SCHEME}, defaults throughout. */
  public KubernetesNameResolverProvider() {
    this(new Builder(), 5);
  }

  private KubernetesNameResolverProvider(Builder b, int priority) {
    this.scheme = b.scheme;
    this.priority = priority;
    this.access = b.access;
    this.authority = b.authority;
    this.serviceConfig = b.healthCheckService == null
        ? b.serviceConfig
        : ServiceConfigs.withHealthCheck(b.serviceConfig, b.healthCheckService);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  protected boolean isAvailable() {
    return true;
  }

  @Override
  protected int priority() {
    return priority;
  }

  @Override
  public String getDefaultScheme() {
    return scheme;
  }

  /**
   * A resolver for {@code targetUri}, or null if its scheme is not this provider's.
   *
   * @throws IllegalArgumentException if the target is malformed: the channel cannot be built, and
   *     the message says what is wrong and which forms are accepted
   */
  @Override
  public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
    if (!scheme.equalsIgnoreCase(targetUri.getScheme())) {
      return null;
    }
    KubernetesTarget target = KubernetesTarget.parse(targetUri);
    KubernetesAccess access = access();
    if (target.namespace() == null) {
      String own = access.namespace();
      // As kubectl: a kubeconfig context without a namespace means "default".
      target = target.inNamespace(own == null || own.isBlank() ? "default" : own);
    }
    String serviceAuthority = Objects.requireNonNull(authority.apply(target), "the authority function returned null");
    return new KubernetesNameResolver(target, serviceAuthority, watches, access, serviceConfig, args);
  }

  /** The figures of every watch open now, by namespace, Service and port. */
  public List<ResolverStats> stats() {
    return watches.stats();
  }

  private synchronized KubernetesAccess access() {
    if (access == null) {
      access = KubernetesAccess.auto();
    }
    return access;
  }

  @Override
  public String toString() {
    return "KubernetesNameResolverProvider{scheme=" + scheme + ", priority=" + priority + "}";
  }

  /** Settings for a {@link KubernetesNameResolverProvider}. */
  public static final class Builder {
    private String scheme = SCHEME;
    private KubernetesAccess access;
    private Map<String, ?> serviceConfig = ServiceConfigs.roundRobin();
    private String healthCheckService;
    private Function<KubernetesTarget, String> authority = KubernetesTarget::serviceAuthority;

    private Builder() {}

    /** The scheme to resolve; default {@value KubernetesNameResolverProvider#SCHEME}. */
    public Builder scheme(String scheme) {
      if (scheme == null || !scheme.matches("[a-zA-Z][a-zA-Z0-9+.-]*")) {
        throw new IllegalArgumentException("not a URI scheme: " + scheme);
      }
      this.scheme = scheme.toLowerCase(Locale.ROOT);
      return this;
    }

    /**
     * How to reach the API server, and the default namespace for targets that name none (the
     * pod's own, in a cluster; {@code default} if the access has none). Default
     * {@link KubernetesAccess#auto()}, made when the first channel resolves.
     */
    public Builder access(KubernetesAccess access) {
      this.access = Objects.requireNonNull(access, "access");
      return this;
    }

    /**
     * The service config handed to the channels, as parsed JSON (maps, lists, strings, numbers,
     * booleans): load balancing, and method configs such as retry policies and wait-for-ready.
     * Default {@code {"loadBalancingConfig": [{"round_robin": {}}]}}.
     *
     * @throws IllegalArgumentException if it holds anything but JSON values
     */
    @SuppressWarnings("unchecked")
    public Builder serviceConfig(Map<String, ?> serviceConfig) {
      this.serviceConfig = (Map<String, ?>) ServiceConfigs.copyJson(Objects.requireNonNull(serviceConfig,
          "serviceConfig"), "serviceConfig");
      return this;
    }

    /**
     * Checks each endpoint through the standard {@code grpc.health.v1.Health/Watch} stream and
     * skips those that do not report SERVING for {@code serviceName} ({@code ""}: the server as
     * a whole), before Kubernetes notices them. Works with round_robin: grpc-services, a
     * dependency of this module, registers the round_robin that reads {@code healthCheckConfig}.
     * Servers without the health service count as healthy (gRPC's rule: UNIMPLEMENTED disables
     * the check).
     */
    public Builder healthCheck(String serviceName) {
      this.healthCheckService = Objects.requireNonNull(serviceName, "serviceName");
      return this;
    }

    /**
     * The authority for a target (TLS server name and {@code :authority}); default
     * {@link KubernetesTarget#serviceAuthority()}, {@code svc.ns}. The target's namespace is
     * known when this is called. A channel's {@code overrideAuthority} still wins.
     */
    public Builder authority(Function<KubernetesTarget, String> authority) {
      this.authority = Objects.requireNonNull(authority, "authority");
      return this;
    }

    public KubernetesNameResolverProvider build() {
      return new KubernetesNameResolverProvider(this, 6);
    }
  }
}
