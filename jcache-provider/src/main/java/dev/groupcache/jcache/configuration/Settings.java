package dev.groupcache.jcache.configuration;

import static dev.groupcache.jcache.configuration.SettingValue.allowlist;
import static dev.groupcache.jcache.configuration.SettingValue.bool;
import static dev.groupcache.jcache.configuration.SettingValue.choice;
import static dev.groupcache.jcache.configuration.SettingValue.duration;
import static dev.groupcache.jcache.configuration.SettingValue.integer;
import static dev.groupcache.jcache.configuration.SettingValue.peers;
import static dev.groupcache.jcache.configuration.SettingValue.share;
import static dev.groupcache.jcache.configuration.SettingValue.size;
import static dev.groupcache.jcache.configuration.SettingValue.text;

import dev.groupcache.discovery.AddressFamily;
import dev.groupcache.discovery.DiscoveryConfig;
import dev.groupcache.discovery.DiscoveryMode;
import dev.groupcache.jcache.GroupcacheCachingProvider;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The provider's configuration: the node-wide keys, read and checked once by {@link #load}, and
 * the per-cache keys, read by {@link #cache(String)} when a cache is created. The keys, their
 * defaults and meanings are listed in {@link SettingsKey}.
 *
 * <p>Lookup order, the first source that defines a key deciding it:
 *
 * <ol>
 *   <li>the sources given to {@link #load} (such as the javaagent's {@code key=value} arguments);
 *   <li>if a MicroProfile Config implementation is present (its API is loadable and
 *       {@code ConfigProvider.getConfig(loader)} answers), that configuration, with the
 *       application's own sources and ordinals;
 *   <li>otherwise MicroProfile's default sources, read here the same way: system properties
 *       (ordinal 400); environment variables (300), trying the exact key, then non-alphanumerics
 *       replaced by {@code _}, then that upper-cased ({@code GROUPCACHE_CACHES_MY_CACHE_MAX_BYTES});
 *       every {@code META-INF/microprofile-config.properties} on the class path (100, or the
 *       file's {@code config_ordinal}; among equals the first found wins).
 * </ol>
 *
 * <p>An empty value counts as not set, and the default applies. Values are trimmed.
 *
 * <p>Bad values fail fast with an {@link IllegalArgumentException} whose message names the key,
 * the value, where it came from and what is allowed, for example {@code groupcache.port = "80a"
 * (from system property) is not a port: expected an integer 1-65535}. Durations are written
 * {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, ISO-8601 ({@code PT5S}) or {@code 0}; sizes
 * {@code 65536}, {@code 64KiB}, {@code 16MiB}, {@code 1GiB} (also {@code k}, {@code m}, {@code g},
 * all binary). Unknown {@code groupcache.*} keys (likely misspelt) are logged as warnings.
 *
 * <p>This class works with and without MicroProfile Config on the class path: every reference to
 * its API is in {@link SettingsMicroProfile}, touched only once the API is known to be loadable.
 *
 * <p>Long (over 400 lines) because it has one field and one documented accessor per key; parsing
 * is in {@link SettingValue}.
 */
public final class Settings {
  private static final System.Logger LOG = System.getLogger(Settings.class.getName());

  /** The class whose presence means the MicroProfile Config API is on the class path. */
  static final String MICROPROFILE_CONFIG_PROVIDER = "org.eclipse.microprofile.config.ConfigProvider";
  /** The origin given to the map of {@link #load(ClassLoader, Map)}. */
  static final String OVERRIDES = "overrides";
  /** Where the settings that started the node (the agent argument) come from, in messages. */
  static final String NODE = "node settings";

  private static final int MAX_KEY_LIMIT = 16 << 20;
  private static final int MAX_VALUE_LIMIT = 256 << 20;

  private final SettingsSource source;
  private final int port;
  private final java.util.OptionalInt metricsPort;
  private final boolean serve;
  private final boolean membersOnly;
  private final Optional<String> bindHost;
  private final Optional<String> self;
  private final DiscoveryMode discovery;
  private final Optional<String> kubernetesService;
  private final Optional<String> kubernetesNamespace;
  private final Optional<String> kubernetesLabelSelector;
  private final Optional<String> kubernetesPortName;
  private final AddressFamily addressFamily;
  private final Optional<String> dnsName;
  private final Optional<String> dnsServer;
  private final Duration dnsInterval;
  private final List<String> staticPeers;
  private final Duration discoverySyncTimeout;
  private final Duration discoveryDebounce;
  private final int maxKeyBytes;
  private final int maxValueBytes;
  private final int vnodes;
  private final int ioThreads;
  private final Duration peerTimeout;
  private final Duration invalidationTimeout;
  private final Duration lease;
  private final Duration failureTimeout;
  private final Duration handoverTimeout;
  private final List<String> serializationAllowlist;
  private final Optional<TlsSettings> tls;
  private final List<String> unknownKeys;

  /**
   * The settings of one cache, read from {@code groupcache.caches.<name>.*}.
   *
   * @param name the cache's name, as given to the cache manager
   * @param maxBytes heap budget of the entries and hot copies together, 0 to cache nothing
   * @param hotShare part of {@code maxBytes} for hot copies, 0 to 0.125
   * @param nearTtl how long a copy of another node's entry may be served
   * @param statistics whether JCache statistics are kept
   * @param management whether the JCache management bean is registered
   * @param readThroughTimeout how long a read-through load may run
   * @param backups how many members after a key's owner also hold its entry
   */
  public record CacheSettings(String name, long maxBytes, double hotShare, Duration nearTtl,
      boolean statistics, boolean management, Duration readThroughTimeout, int backups) {}

  /**
   * The files and checks of mutual TLS between peers, read from {@code groupcache.tls.*}; present
   * only when the three files are all set, each checked to be a readable file when read (their
   * content is checked by whoever builds the credentials from them).
   *
   * @param cert this node's certificate chain, PEM
   * @param key the private key of {@code cert}, PKCS#8 PEM
   * @param ca the certificates a peer's certificate must chain to, PEM
   * @param peerIdentity what one DNS or URI subject alternative name of a peer's certificate must
   *     match as a whole; empty to accept any certificate that chains to {@code ca}
   * @param refresh how often the files are read again, 1 s to 1 h
   */
  public record TlsSettings(Path cert, Path key, Path ca, Optional<Pattern> peerIdentity, Duration refresh) {}

  private Settings(SettingsSource source, Function<String, String> environment) {
    this.source = source;
    this.port = SettingValue.port(value(SettingsKey.PORT));
    SettingValue metrics = value(SettingsKey.METRICS_PORT);
    this.metricsPort = metrics.text() == null ? java.util.OptionalInt.empty()
        : java.util.OptionalInt.of(SettingValue.port(metrics));
    this.serve = bool(value(SettingsKey.SERVE));
    this.membersOnly = bool(value(SettingsKey.MEMBERS_ONLY));
    this.bindHost = text(value(SettingsKey.BIND_HOST));
    this.self = SettingValue.self(value(SettingsKey.SELF), environment, port);
    SettingValue mode = value(SettingsKey.DISCOVERY);
    this.discovery = choice(mode, DiscoveryMode.class);
    this.kubernetesService = text(value(SettingsKey.KUBERNETES_SERVICE));
    this.kubernetesNamespace = text(value(SettingsKey.KUBERNETES_NAMESPACE));
    this.kubernetesLabelSelector = text(value(SettingsKey.KUBERNETES_LABEL_SELECTOR));
    this.kubernetesPortName = text(value(SettingsKey.KUBERNETES_PORT_NAME));
    this.addressFamily = choice(value(SettingsKey.KUBERNETES_ADDRESS_FAMILY), AddressFamily.class);
    this.dnsName = text(value(SettingsKey.DNS_NAME));
    this.dnsServer = SettingValue.dnsServer(value(SettingsKey.DNS_SERVER));
    this.dnsInterval = duration(value(SettingsKey.DNS_INTERVAL), true);
    this.staticPeers = peers(value(SettingsKey.STATIC_PEERS));
    this.discoverySyncTimeout = duration(value(SettingsKey.DISCOVERY_SYNC_TIMEOUT), false);
    this.discoveryDebounce = duration(value(SettingsKey.DISCOVERY_DEBOUNCE), false);
    this.maxKeyBytes = (int) size(value(SettingsKey.MAX_KEY_BYTES), 1, MAX_KEY_LIMIT);
    this.maxValueBytes = (int) size(value(SettingsKey.MAX_VALUE_BYTES), 1, MAX_VALUE_LIMIT);
    this.vnodes = integer(value(SettingsKey.VNODES), 1, 65536, "a vnode count");
    this.ioThreads = integer(value(SettingsKey.IO_THREADS), 1, 64, "a thread count");
    this.peerTimeout = duration(value(SettingsKey.PEER_TIMEOUT), true);
    this.invalidationTimeout = duration(value(SettingsKey.INVALIDATION_TIMEOUT), false);
    this.lease = duration(value(SettingsKey.LEASE), Duration.ofMillis(100), Duration.ofMinutes(1), "100ms to 1m");
    this.failureTimeout = duration(value(SettingsKey.FAILURE_TIMEOUT), Duration.ofMillis(100), Duration.ofMinutes(1),
        "100ms to 1m");
    this.handoverTimeout = duration(value(SettingsKey.HANDOVER_TIMEOUT), false);
    this.serializationAllowlist = allowlist(value(SettingsKey.SERIALIZATION_ALLOWLIST));
    this.tls = readTls();
    requireModeKeys(mode);
    this.unknownKeys = unknownKeys(source);
  }

  /** Reads the settings, with {@code overrides} above every other source. */
  public static Settings load(ClassLoader loader, Map<String, String> overrides) {
    return load(loader, overrides, Map.of());
  }

  /**
   * Reads the settings, with {@code overrides} above {@code nodeSettings} (those the node was
   * started with, see {@link GroupcacheCachingProvider#startNode}) above every other source.
   */
  public static Settings load(ClassLoader loader, Map<String, String> overrides, Map<String, String> nodeSettings) {
    List<SettingsSource> stacked = new ArrayList<>();
    if (!overrides.isEmpty()) {
      stacked.add(SettingsSource.of(OVERRIDES, overrides));
    }
    if (!nodeSettings.isEmpty()) {
      stacked.add(SettingsSource.of(NODE, nodeSettings));
    }
    return load(loader, stacked, System::getenv);
  }

  /**
   * Reads the settings from {@code overrides}, system properties, the environment and the
   * {@code microprofile-config.properties} files of {@code loader}, without MicroProfile Config:
   * for a node started before the application, whose own MicroProfile Config must not be started
   * early.
   */
  public static Settings loadWithoutMicroProfile(ClassLoader loader, Map<String, String> overrides) {
    return load(loader, overrides.isEmpty() ? List.of() : List.of(SettingsSource.of(NODE, overrides)),
        System::getenv, false);
  }

  /**
   * Reads the settings.
   *
   * @param loader the application's class loader: MicroProfile Config's configuration for it, or
   *     its {@code microprofile-config.properties} files; null for this class's own
   * @param stacked sources above all others, the first winning
   * @param environment how environment variables are read ({@code System::getenv}; replaceable
   *     for tests); also gives {@code POD_IP}
   * @throws IllegalArgumentException naming the first key that is invalid, or missing for the
   *     discovery mode
   */
  public static Settings load(ClassLoader loader, List<SettingsSource> stacked,
      Function<String, String> environment) {
    return load(loader, stacked, environment, true);
  }

  /**
   * As {@link #load(ClassLoader, List, Function)}; with {@code microProfile} false, MicroProfile
   * Config is not consulted even if present.
   */
  private static Settings load(ClassLoader loader, List<SettingsSource> stacked,
      Function<String, String> environment, boolean microProfile) {
    Objects.requireNonNull(environment, "environment");
    ClassLoader cl = loader != null ? loader : Settings.class.getClassLoader();
    SettingsSource base = microProfile ? microProfile(cl) : null;
    if (base == null) {
      base = SettingsSource.builtIn(cl, environment);
    }
    List<SettingsSource> all = new ArrayList<>(stacked);
    all.add(base);
    Settings settings = new Settings(SettingsSource.chain(all), environment);
    LOG.log(Level.DEBUG, "groupcache settings read from {0}", settings.sources());
    for (String unknown : settings.unknownKeys) {
      LOG.log(Level.WARNING, "unknown setting {0} ignored; the keys are listed in the README", unknown);
    }
    return settings;
  }

  /**
   * The application's MicroProfile Config, or null if there is none. The API must be loadable by
   * this class's own loader, which is the one that links {@link SettingsMicroProfile}.
   */
  private static SettingsSource microProfile(ClassLoader loader) {
    try {
      Class.forName(MICROPROFILE_CONFIG_PROVIDER, false, Settings.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      LOG.log(Level.DEBUG, "no MicroProfile Config API; reading system properties, environment and "
          + SettingsSource.PROPERTIES_RESOURCE);
      return null;
    }
    return SettingsMicroProfile.open(loader);
  }

  /** Where values are read from, highest first, for logs. */
  public String sources() {
    return source.description();
  }

  /** {@code groupcache.port}: the peer gRPC port. */
  /** {@code groupcache.metrics.port}: the agent's metrics and health endpoint, if any. */
  public java.util.OptionalInt metricsPort() {
    return metricsPort;
  }

  public int port() {
    return port;
  }

  /** {@code groupcache.serve}: whether the node opens its own peer server. */
  public boolean serve() {
    return serve;
  }

  /** {@code groupcache.members-only}: whether peer requests are taken only from current members. */
  public boolean membersOnly() {
    return membersOnly;
  }

  /** {@code groupcache.bind-host}; empty for every interface. */
  public Optional<String> bindHost() {
    return bindHost;
  }

  /**
   * {@code groupcache.self}, else {@code POD_IP} with {@link #port()}; empty if neither is known.
   * Checked to be {@code host:port} or {@code [ipv6]:port}.
   */
  public Optional<String> self() {
    return self;
  }

  /** {@code groupcache.discovery}. */
  public DiscoveryMode discovery() {
    return discovery;
  }

  /** {@code groupcache.kubernetes.service}; present in mode {@code endpointslices}. */
  Optional<String> kubernetesService() {
    return kubernetesService;
  }

  /** {@code groupcache.kubernetes.namespace}; empty for the pod's own. */
  Optional<String> kubernetesNamespace() {
    return kubernetesNamespace;
  }

  /** {@code groupcache.kubernetes.label-selector}; present in mode {@code pods}. */
  Optional<String> kubernetesLabelSelector() {
    return kubernetesLabelSelector;
  }

  /** {@code groupcache.kubernetes.port-name}. */
  Optional<String> kubernetesPortName() {
    return kubernetesPortName;
  }

  /** {@code groupcache.kubernetes.address-family}. */
  AddressFamily addressFamily() {
    return addressFamily;
  }

  /** {@code groupcache.dns.name}; present in mode {@code dns}. */
  Optional<String> dnsName() {
    return dnsName;
  }

  /** {@code groupcache.dns.server}, {@code host}, {@code host:port} or {@code [ipv6]:port}. */
  Optional<String> dnsServer() {
    return dnsServer;
  }

  /** {@code groupcache.dns.interval}; positive. */
  Duration dnsInterval() {
    return dnsInterval;
  }

  /** {@code groupcache.static.peers}, each a checked {@code host:port}; non-empty in mode {@code static}. */
  List<String> staticPeers() {
    return staticPeers;
  }

  /** {@code groupcache.discovery.sync-timeout}. */
  public Duration discoverySyncTimeout() {
    return discoverySyncTimeout;
  }

  /** {@code groupcache.discovery.debounce}. */
  Duration discoveryDebounce() {
    return discoveryDebounce;
  }

  /** {@code groupcache.max-key-bytes}, 1 to 16 MiB. */
  public int maxKeyBytes() {
    return maxKeyBytes;
  }

  /** {@code groupcache.max-value-bytes}, 1 to 256 MiB. */
  public int maxValueBytes() {
    return maxValueBytes;
  }

  /** {@code groupcache.vnodes}, 1 to 65536. */
  public int vnodes() {
    return vnodes;
  }

  /** {@code groupcache.io-threads}, 1 to 64. */
  public int ioThreads() {
    return ioThreads;
  }

  /** {@code groupcache.peer-timeout}; positive. */
  public Duration peerTimeout() {
    return peerTimeout;
  }

  /** {@code groupcache.invalidation-timeout}. */
  public Duration invalidationTimeout() {
    return invalidationTimeout;
  }

  /** {@code groupcache.lease}, 100 ms to 1 min. */
  public Duration lease() {
    return lease;
  }

  /** {@code groupcache.handover-timeout}. */
  public Duration handoverTimeout() {
    return handoverTimeout;
  }

  /** {@code groupcache.failure-timeout}, 100 ms to 1 min. */
  public Duration failureTimeout() {
    return failureTimeout;
  }

  /** {@code groupcache.serialization.allowlist}: the patterns, empty when Java serialization is off. */
  public List<String> serializationAllowlist() {
    return serializationAllowlist;
  }

  /**
   * {@code groupcache.tls.*}: mutual TLS between peers; empty when none of the three files is set,
   * and the peer port is plaintext.
   */
  public Optional<TlsSettings> tls() {
    return tls;
  }

  /** The {@code groupcache.*} keys the sources define that are not known keys, probably misspelt. */
  List<String> unknownKeys() {
    return unknownKeys;
  }

  /**
   * A discovery builder filled from these settings, for the caller to add Kubernetes access to and
   * build. The peers' port is {@link #port()}, except that a Kubernetes port name, when given,
   * decides it instead.
   */
  public DiscoveryConfig.Builder discoveryConfig() {
    boolean byName = kubernetesPortName.isPresent()
        && (discovery == DiscoveryMode.ENDPOINTSLICES || discovery == DiscoveryMode.PODS);
    DiscoveryConfig.Builder b = DiscoveryConfig.builder()
        .mode(discovery)
        .port(byName ? 0 : port)
        .addressFamily(addressFamily)
        .dnsInterval(dnsInterval)
        .staticPeers(staticPeers)
        .debounce(discoveryDebounce);
    kubernetesService.ifPresent(b::service);
    kubernetesNamespace.ifPresent(b::namespace);
    kubernetesLabelSelector.ifPresent(b::labelSelector);
    kubernetesPortName.ifPresent(b::portName);
    dnsName.ifPresent(b::dnsName);
    dnsServer.ifPresent(b::dnsServer);
    return b;
  }

  /**
   * The settings of the cache {@code name}, read now from {@code groupcache.caches.<name>.*}; the
   * name is used as is, dots and dashes included ({@code groupcache.caches.orders.v2.max-bytes}).
   *
   * @throws IllegalArgumentException naming the key of an invalid value
   */
  public CacheSettings cache(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("a cache name must not be empty");
    }
    return new CacheSettings(name,
        size(value(SettingsKey.CACHE_MAX_BYTES, name), 0, Long.MAX_VALUE),
        share(value(SettingsKey.CACHE_HOT_SHARE, name)),
        duration(value(SettingsKey.CACHE_NEAR_TTL, name), false),
        bool(value(SettingsKey.CACHE_STATISTICS, name)),
        bool(value(SettingsKey.CACHE_MANAGEMENT, name)),
        duration(value(SettingsKey.CACHE_READ_THROUGH_TIMEOUT, name), true),
        integer(value(SettingsKey.CACHE_BACKUPS, name), 0, 2, "a number of backups"));
  }

  // ---- reading ----

  private SettingValue value(SettingsKey key) {
    return value(key.key(), key.defaultValue());
  }

  private SettingValue value(SettingsKey key, String cache) {
    return value(key.of(cache), key.defaultValue());
  }

  private SettingValue value(String key, String defaultValue) {
    SettingsSource.Found found;
    try {
      found = source.get(key);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(key + " cannot be read: " + e.getMessage(), e);
    }
    if (found == null || found.value().isBlank()) {
      return new SettingValue(key, defaultValue, null);
    }
    return new SettingValue(key, found.value().trim(), found.origin());
  }

  /**
   * The TLS settings: all three files or none, a peer identity only with them.
   *
   * @throws IllegalArgumentException naming the keys missing from a partial set, or the key and
   *     path of a file that cannot be read
   */
  private Optional<TlsSettings> readTls() {
    List<SettingValue> files = List.of(value(SettingsKey.TLS_CERT), value(SettingsKey.TLS_KEY), value(SettingsKey.TLS_CA));
    StringJoiner set = new StringJoiner(", ");
    StringJoiner unset = new StringJoiner(", ");
    for (SettingValue f : files) {
      if (f.text() == null) {
        unset.add(f.key());
      } else {
        set.add(f.key() + " = \"" + f.text() + "\"" + f.where());
      }
    }
    SettingValue identity = value(SettingsKey.TLS_PEER_IDENTITY);
    if (set.length() == 0) {
      if (identity.text() != null) {
        throw new IllegalArgumentException(identity.key() + " = \"" + identity.text() + "\"" + identity.where()
            + " is set, but TLS is off: it also needs " + unset);
      }
      return Optional.empty();
    }
    if (unset.length() > 0) {
      throw new IllegalArgumentException("mutual TLS needs " + SettingsKey.TLS_CERT.key() + ", "
          + SettingsKey.TLS_KEY.key() + " and " + SettingsKey.TLS_CA.key() + " together: " + set
          + " is set, but " + unset + " is not");
    }
    return Optional.of(new TlsSettings(
        SettingValue.readableFile(files.get(0)).orElseThrow(),
        SettingValue.readableFile(files.get(1)).orElseThrow(),
        SettingValue.readableFile(files.get(2)).orElseThrow(),
        SettingValue.pattern(identity),
        duration(value(SettingsKey.TLS_REFRESH), Duration.ofSeconds(1), Duration.ofHours(1), "1s to 1h")));
  }

  private void requireModeKeys(SettingValue mode) {
    switch (discovery) {
      case ENDPOINTSLICES -> require(mode, kubernetesService, SettingsKey.KUBERNETES_SERVICE);
      case PODS -> require(mode, kubernetesLabelSelector, SettingsKey.KUBERNETES_LABEL_SELECTOR);
      case DNS -> require(mode, dnsName, SettingsKey.DNS_NAME);
      case STATIC -> require(mode, staticPeers.isEmpty() ? Optional.empty() : Optional.of(""),
          SettingsKey.STATIC_PEERS);
      default -> throw new AssertionError(discovery);
    }
  }

  private static void require(SettingValue mode, Optional<?> present, SettingsKey needed) {
    if (present.isEmpty()) {
      throw new IllegalArgumentException(mode.key() + " = \"" + mode.text() + "\"" + mode.where()
          + " needs " + needed.key() + ", which is not set");
    }
  }

  private static List<String> unknownKeys(SettingsSource source) {
    List<String> unknown = new ArrayList<>();
    try {
      for (String name : source.names()) {
        if (name.startsWith("groupcache.") && !SettingsKey.known(name)) {
          unknown.add(name);
        }
      }
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "cannot list configuration keys: {0}", e.toString());
    }
    unknown.sort(null);
    return List.copyOf(unknown);
  }
}
