package dev.groupcache.discovery;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How to find the peers. Immutable; made with {@link #builder()}; {@link Builder#build()} checks
 * that the settings the chosen mode needs are present and names what is missing.
 */
public final class DiscoveryConfig {
  private final DiscoveryMode mode;
  private final String namespace;
  private final String service;
  private final String labelSelector;
  private final int port;
  private final String portName;
  private final AddressFamily addressFamily;
  private final String dnsName;
  private final String dnsServer;
  private final Duration dnsInterval;
  private final List<String> staticPeers;
  private final Duration debounce;
  private final KubernetesAccess access;

  private DiscoveryConfig(Builder b) {
    this.mode = b.mode;
    this.namespace = b.namespace;
    this.service = b.service;
    this.labelSelector = b.labelSelector;
    this.port = b.port;
    this.portName = b.portName;
    this.addressFamily = b.addressFamily;
    this.dnsName = b.dnsName;
    this.dnsServer = b.dnsServer;
    this.dnsInterval = b.dnsInterval;
    this.staticPeers = b.staticPeers;
    this.debounce = b.debounce;
    this.access = b.access;
  }

  public static Builder builder() {
    return new Builder();
  }

  public DiscoveryMode mode() {
    return mode;
  }

  /** The namespace to watch, or null for the access's own (the pod's namespace in a cluster). */
  public String namespace() {
    return namespace;
  }

  public String service() {
    return service;
  }

  public String labelSelector() {
    return labelSelector;
  }

  /** The peers' port, or 0 to take it from {@link #portName()} or the only port. */
  public int port() {
    return port;
  }

  public String portName() {
    return portName;
  }

  public AddressFamily addressFamily() {
    return addressFamily;
  }

  public String dnsName() {
    return dnsName;
  }

  /** The DNS server to ask ({@code host} or {@code host:port}), or null for the system resolver. */
  public String dnsServer() {
    return dnsServer;
  }

  public Duration dnsInterval() {
    return dnsInterval;
  }

  public List<String> staticPeers() {
    return staticPeers;
  }

  public Duration debounce() {
    return debounce;
  }

  /** How to reach the Kubernetes API; null means {@link KubernetesAccess#auto()}. */
  public KubernetesAccess access() {
    return access;
  }

  /** Builds a {@link DiscoveryConfig}. */
  public static final class Builder {
    private DiscoveryMode mode = DiscoveryMode.ENDPOINTSLICES;
    private String namespace;
    private String service;
    private String labelSelector;
    private int port;
    private String portName;
    private AddressFamily addressFamily = AddressFamily.ANY;
    private String dnsName;
    private String dnsServer;
    private Duration dnsInterval = Duration.ofSeconds(5);
    private List<String> staticPeers = List.of();
    private Duration debounce = Duration.ofMillis(100);
    private KubernetesAccess access;

    private Builder() {}

    public Builder mode(DiscoveryMode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    public Builder namespace(String namespace) {
      this.namespace = namespace;
      return this;
    }

    /** The Service whose EndpointSlices name the peers (mode {@code endpointslices}). */
    public Builder service(String service) {
      this.service = service;
      return this;
    }

    /** The label selector of the peer pods (mode {@code pods}), e.g. {@code app=orders}. */
    public Builder labelSelector(String labelSelector) {
      this.labelSelector = labelSelector;
      return this;
    }

    /** The port every peer listens on; 0 (the default) to use {@link #portName} or the only port. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0-65535: " + port);
      }
      this.port = port;
      return this;
    }

    /** The name of the peers' port in the EndpointSlice (or the pod's container ports). */
    public Builder portName(String portName) {
      this.portName = portName;
      return this;
    }

    public Builder addressFamily(AddressFamily addressFamily) {
      this.addressFamily = Objects.requireNonNull(addressFamily, "addressFamily");
      return this;
    }

    /** The headless Service's DNS name (mode {@code dns}). */
    public Builder dnsName(String dnsName) {
      this.dnsName = dnsName;
      return this;
    }

    /** A DNS server to ask directly instead of the system resolver, which caches answers. */
    public Builder dnsServer(String dnsServer) {
      this.dnsServer = dnsServer;
      return this;
    }

    /** How often to resolve again (mode {@code dns}). Default 5 s. */
    public Builder dnsInterval(Duration dnsInterval) {
      this.dnsInterval = positive("dnsInterval", dnsInterval);
      return this;
    }

    /** The peers, {@code host:port} (mode {@code static}). */
    public Builder staticPeers(List<String> staticPeers) {
      this.staticPeers = List.copyOf(staticPeers);
      return this;
    }

    /** How long to gather a burst of changes before telling listeners. Default 100 ms; 0 tells at once. */
    public Builder debounce(Duration debounce) {
      if (debounce.isNegative()) {
        throw new IllegalArgumentException("debounce must not be negative: " + debounce);
      }
      this.debounce = debounce;
      return this;
    }

    public Builder access(KubernetesAccess access) {
      this.access = access;
      return this;
    }

    /** @throws IllegalStateException naming the setting the mode needs and lacks */
    public DiscoveryConfig build() {
      switch (mode) {
        case ENDPOINTSLICES -> require(service, "service", "endpointslices");
        case PODS -> require(labelSelector, "labelSelector", "pods");
        case DNS -> {
          require(dnsName, "dnsName", "dns");
          if (port == 0) {
            throw new IllegalStateException("mode dns needs a port: DNS A/AAAA records carry none");
          }
        }
        case STATIC -> {
          if (staticPeers.isEmpty()) {
            throw new IllegalStateException("mode static needs staticPeers");
          }
        }
        default -> throw new AssertionError(mode);
      }
      return new DiscoveryConfig(this);
    }

    private static void require(String value, String name, String mode) {
      if (value == null || value.isBlank()) {
        throw new IllegalStateException("mode " + mode + " needs " + name);
      }
    }

    private static Duration positive(String what, Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive: " + d);
      }
      return d;
    }
  }
}
