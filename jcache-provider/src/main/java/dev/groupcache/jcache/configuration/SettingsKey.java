package dev.groupcache.jcache.configuration;

import java.util.Objects;

/**
 * Every configuration key, its default and its meaning, in one place: {@link Settings} reads the
 * keys and parses the defaults from here, and the README's table is {@link #markdownTable()}.
 *
 * <p>Per-cache keys contain {@value #NAME}, replaced by the cache's name with {@link #of(String)}.
 */
public enum SettingsKey {
  PORT("groupcache.port", "7600", null,
      "The peer gRPC port: this node listens on it and, unless `groupcache.kubernetes.port-name` is"
          + " set, reaches its peers on it."),
  SERVE("groupcache.serve", "true", null,
      "Whether the node opens its own peer server on `groupcache.port` (true), or the application"
          + " serves `GroupcacheCacheManager.peerService()` from its own gRPC server on"
          + " that port (false)."),
  BIND_HOST("groupcache.bind-host", null, "all interfaces",
      "The local address the peer server listens on."),
  SELF("groupcache.self", null, "`POD_IP`:port",
      "This node's address as its peers reach it, `host:port` or `[ipv6]:port`, spelled as"
          + " discovery spells it."),
  DISCOVERY("groupcache.discovery", "endpointslices", null,
      "How the peers are found: `endpointslices`, `pods`, `dns` or `static`."),
  KUBERNETES_SERVICE("groupcache.kubernetes.service", null, null,
      "The Service whose EndpointSlices list the peers; required by `endpointslices`."),
  KUBERNETES_NAMESPACE("groupcache.kubernetes.namespace", null, "the pod's own",
      "The namespace of that Service or of the peer pods."),
  KUBERNETES_LABEL_SELECTOR("groupcache.kubernetes.label-selector", null, null,
      "The label selector of the peer pods, e.g. `app=orders`; required by `pods`."),
  KUBERNETES_PORT_NAME("groupcache.kubernetes.port-name", null, null,
      "The name of the peers' port in the EndpointSlice or the pod spec, when it is not"
          + " `groupcache.port`."),
  KUBERNETES_ADDRESS_FAMILY("groupcache.kubernetes.address-family", "any", null,
      "Which address of a dual-stack pod is used: `ipv4`, `ipv6`, or `any` (IPv4 if it has one);"
          + " the same on every node."),
  DNS_NAME("groupcache.dns.name", null, null,
      "The headless Service's DNS name whose A/AAAA records are the peers; required by `dns`."),
  DNS_SERVER("groupcache.dns.server", null, "the system resolver",
      "A DNS server, `host[:port]`, asked directly, bypassing the system resolver's cache."),
  DNS_INTERVAL("groupcache.dns.interval", "5s", null,
      "How often the DNS name is resolved again."),
  STATIC_PEERS("groupcache.static.peers", null, null,
      "The peers, comma-separated `host:port`, this node included; required by `static`."),
  DISCOVERY_SYNC_TIMEOUT("groupcache.discovery.sync-timeout", "10s", null,
      "How long startup waits for discovery's first list of peers."),
  DISCOVERY_DEBOUNCE("groupcache.discovery.debounce", "100ms", null,
      "How long a burst of peer changes is gathered before the ring changes; 0 applies each at once."),
  MAX_KEY_BYTES("groupcache.max-key-bytes", "64KiB", null,
      "The largest serialized key accepted, here and from peers (at most 16MiB)."),
  MAX_VALUE_BYTES("groupcache.max-value-bytes", "4MiB", null,
      "The largest serialized value loaded, served or accepted (at most 256MiB)."),
  VNODES("groupcache.vnodes", "4096", null,
      "Points per peer on the hash ring, 1-65536; every node must agree."),
  IO_THREADS("groupcache.io-threads", "1", null,
      "How many threads carry the node's peer traffic, in and out, 1-64. One saves a thread wake-up"
          + " wherever one peer message leads to another (a write's backup, then its answer); raise it"
          + " only where one thread is busy all the time with peer traffic."),
  PEER_TIMEOUT("groupcache.peer-timeout", "5s", null,
      "How long a get waits for the key's owner before loading here; set it above the loader's"
          + " usual time."),
  INVALIDATION_TIMEOUT("groupcache.invalidation-timeout", "2s", null,
      "How long a write waits for a member's synchronous listeners."),
  LEASE("groupcache.lease", "2s", null,
      "How long a member may serve copies of an owner's entries without word from it, 100ms-1m: the"
          + " longest a paused or cut-off member delays a write of a key it holds a copy of."),
  FAILURE_TIMEOUT("groupcache.failure-timeout", "2s", null,
      "How long a peer may stay silent before this node suspects it, 100ms-1m: its keys then count"
          + " as unavailable at once (reads miss, writes fail fast) until it answers again."),
  HANDOVER_TIMEOUT("groupcache.handover-timeout", "20s", null,
      "How long a leaving node waits, as it stops, for its entries to reach their new owners; 0 does"
          + " not wait. Size the pod's termination grace period above it."),
  TLS_CERT("groupcache.tls.cert", null, "none: plaintext",
      "This node's certificate chain, a PEM file such as cert-manager's `tls.crt`; with `tls.key` and"
          + " `tls.ca` it turns on mutual TLS on the peer port. All three or none."),
  TLS_KEY("groupcache.tls.key", null, "none: plaintext",
      "The private key of `tls.cert`, an unencrypted PKCS#8 PEM file (`BEGIN PRIVATE KEY`), such as"
          + " cert-manager's `tls.key` with `privateKey.encoding: PKCS8`."),
  TLS_CA("groupcache.tls.ca", null, "none: plaintext",
      "The certificates peers' certificates must chain to, a PEM file such as cert-manager's `ca.crt`."),
  TLS_PEER_IDENTITY("groupcache.tls.peer-identity", null, "none: any certificate the CA signed",
      "A Java regular expression that one DNS or URI subject alternative name of a peer's certificate"
          + " must match as a whole, e.g. `spiffe://cluster\\.local/ns/shop/sa/orders`; checked by"
          + " servers and clients alike."),
  TLS_REFRESH("groupcache.tls.refresh", "1m", null,
      "How often the TLS files are read again, 1s-1h; changed files apply to new connections, open"
          + " ones continue."),
  MEMBERS_ONLY("groupcache.members-only", "true", null,
      "Whether peer requests are taken only from current members: a request must name a member of"
          + " this node's ring and come from that member's IP address, or it is refused"
          + " (`PERMISSION_DENIED`). Turn it off only where connections do not come from the peer's own"
          + " address (a service mesh's proxy), with the mesh's mutual TLS keeping others out."),
  SERIALIZATION_ALLOWLIST("groupcache.serialization.allowlist", null, "empty: Java serialization off",
      "The classes Java serialization may decode, comma-separated `java.io.ObjectInputFilter`"
          + " patterns and presets such as `hibernate,com.example.model.*,java.util.*`; all others"
          + " are rejected. A class allows its arrays; the presets `hibernate` and `spring` allow"
          + " the classes Hibernate ORM's second-level cache and Spring's cache abstraction write"
          + " (see [Hibernate ORM](#hibernate-orm) and [Spring Boot](#spring-boot))."),
  AGENT_FAIL_FAST("groupcache.agent.fail-fast", "false", null,
      "With the agent: whether a node that cannot start stops the application (true) or leaves it"
          + " running with a local-only, not-ready cache (false)."),
  AGENT_WEAVE("groupcache.agent.weave", null, "none: no weaving",
      "With the agent: comma-separated package prefixes whose classes get the JSR-107 caching"
          + " annotations woven in, e.g. `com.example.`."),

  METRICS_PORT("groupcache.metrics.port", null, "none: no endpoint",
      "With the agent: the port of an HTTP endpoint serving `/metrics` (Prometheus text and"
          + " OpenMetrics) and the probes' `/health/ready` and `/health/live`."),

  CACHE_MAX_BYTES("groupcache.caches.<name>.max-bytes", "64MiB", null,
      "The heap budget of the cache's entries and hot copies together; 0 caches nothing."),
  CACHE_HOT_SHARE("groupcache.caches.<name>.hot-share", "0.125", null,
      "The part of `max-bytes` for hot copies of other nodes' entries, 0 to 0.125; 0 turns them off."),
  CACHE_NEAR_TTL("groupcache.caches.<name>.near-ttl", "10s", null,
      "How long a copy of another node's entry may be served."),
  CACHE_STATISTICS("groupcache.caches.<name>.statistics", "false", null,
      "Whether the cache keeps JCache statistics."),
  CACHE_MANAGEMENT("groupcache.caches.<name>.management", "false", null,
      "Whether the cache's JCache management bean is registered."),
  CACHE_READ_THROUGH_TIMEOUT("groupcache.caches.<name>.read-through-timeout", "30s", null,
      "How long a read-through load may run before its waiters fail."),
  CACHE_BACKUPS("groupcache.caches.<name>.backups", "1", null,
      "How many members after a key's owner also hold its entry, 0 to 2: a write is acknowledged once"
          + " they hold it, and the first of them answers for the key while its owner does not. 0 for a"
          + " cache that would rather reload than pay for the copies.");

  /** The placeholder for the cache name in per-cache keys. */
  static final String NAME = "<name>";
  /** What every per-cache key starts with. */
  static final String CACHES_PREFIX = "groupcache.caches.";

  private final String key;
  private final String defaultValue;
  private final String defaultText;
  private final String meaning;

  SettingsKey(String key, String defaultValue, String defaultText, String meaning) {
    this.key = key;
    this.defaultValue = defaultValue;
    this.defaultText = defaultText;
    this.meaning = meaning;
  }

  /** The key, with {@value #NAME} in it for per-cache keys. */
  public String key() {
    return key;
  }

  /** The value used when no source sets the key, in the syntax a source would use; null if none. */
  public String defaultValue() {
    return defaultValue;
  }

  /** Whether the key belongs to one cache and needs {@link #of(String)}. */
  public boolean perCache() {
    return key.contains(NAME);
  }

  /** The part of a per-cache key after the name, such as {@code max-bytes}. */
  public String suffix() {
    return key.substring(key.indexOf(NAME) + NAME.length() + 1);
  }

  /** The key for the cache {@code name}, used as is: MicroProfile Config has no wildcards. */
  public String of(String name) {
    Objects.requireNonNull(name, "name");
    if (!perCache()) {
      throw new IllegalStateException(key + " is not a per-cache key");
    }
    return key.replace(NAME, name);
  }

  /** Whether {@code name} is one of these keys (per-cache keys for any non-empty cache name). */
  public static boolean known(String name) {
    for (SettingsKey k : values()) {
      if (k.perCache()) {
        String tail = "." + k.suffix();
        if (name.startsWith(CACHES_PREFIX) && name.endsWith(tail)
            && name.length() > CACHES_PREFIX.length() + tail.length()) {
          return true;
        }
      } else if (k.key.equals(name)) {
        return true;
      }
    }
    return false;
  }

  /** The table of keys for the README: key, default, meaning. */
  public static String markdownTable() {
    StringBuilder sb = new StringBuilder("| Key | Default | Meaning |\n|---|---|---|\n");
    for (SettingsKey k : values()) {
      String shown = k.defaultText != null ? k.defaultText
          : k.defaultValue != null ? "`" + k.defaultValue + "`" : "—";
      sb.append("| `").append(k.key).append("` | ").append(shown).append(" | ").append(k.meaning)
          .append(" |\n");
    }
    return sb.toString();
  }
}
