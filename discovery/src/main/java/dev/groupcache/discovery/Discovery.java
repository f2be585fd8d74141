package dev.groupcache.discovery;

import java.util.Locale;

/**
 * Makes {@link PeerSource}s.
 *
 * <p>Every node must converge on the same set: the sources sort and de-duplicate, pick one address
 * per pod by the configured family, and take addresses as the API or DNS gives them.
 *
 * <p>A starting pod that is not yet Ready is not in the set, so no peer routes keys to it. It owns
 * no keys in the meantime: it sends its gets to the owners the set names and loads a key itself
 * only when that owner fails. Once Ready, it appears in every node's set and takes over its share.
 */
public final class Discovery {
  private Discovery() {}

  /** A source for {@code config}; not started. */
  public static PeerSource create(DiscoveryConfig config) {
    switch (config.mode()) {
      case STATIC:
        return new StaticSource(config.staticPeers());
      case DNS:
        return new DnsSource(config);
      case ENDPOINTSLICES:
      case PODS:
        if (config.access() == null) {
          requireKubernetesClient(config.mode());
        }
        KubernetesAccess access = config.access() != null ? config.access() : KubernetesAccess.auto();
        String namespace = config.namespace() != null ? config.namespace() : access.namespace();
        if (namespace == null || namespace.isBlank()) {
          throw new IllegalStateException("no namespace configured, and " + access.identity()
              + " has no default namespace");
        }
        return config.mode() == DiscoveryMode.PODS
            ? new PodSource(config, access, namespace)
            : new EndpointSliceSource(config, access, namespace);
      default:
        throw new AssertionError(config.mode());
    }
  }

  /**
   * Fails, naming the jar to add, if client-java cannot be loaded: the self-contained
   * groupcache-jcache leaves it to groupcache-kubernetes, so that static and DNS discovery do not
   * carry it. Checked here, before any class that links to client-java is used.
   */
  static void requireKubernetesClient(DiscoveryMode mode) {
    try {
      // relocated with client-java in the bundles, so this names the class the bundle needs
      Class.forName(KUBERNETES_CLIENT, false, Discovery.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalStateException("discovery mode " + mode.name().toLowerCase(Locale.ROOT)
          + " reads the Kubernetes API, and the Kubernetes client is not on the class path: add the"
          + " dependency dev.groupcache:groupcache-kubernetes (it brings groupcache-jcache with it), or"
          + " choose discovery dns or static", e);
    }
  }

  static final String KUBERNETES_CLIENT = "io.kubernetes.client.openapi.ApiClient";

  /**
   * This node's own address as the sources write it: {@code configured} if given (it must then be
   * spelled as the sources spell addresses), else the {@code POD_IP} environment variable (the
   * downward API's {@code status.podIP}) with {@code port}. Never a DNS guess, which fails on pods
   * with several addresses.
   *
   * @throws IllegalStateException if neither is available
   */
  public static String self(String configured, int port) {
    if (configured != null && !configured.isBlank()) {
      return configured.trim();
    }
    String podIp = System.getenv("POD_IP");
    if (podIp == null || podIp.isBlank()) {
      throw new IllegalStateException("this node's address is unknown: configure it, or set POD_IP "
          + "from the downward API (fieldRef status.podIP)");
    }
    return Endpoints.format(podIp.trim(), port);
  }
}
