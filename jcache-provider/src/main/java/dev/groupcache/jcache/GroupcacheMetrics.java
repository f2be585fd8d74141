package dev.groupcache.jcache;

import dev.groupcache.CacheStats;
import dev.groupcache.Group;
import dev.groupcache.GroupStats;
import dev.groupcache.Node;
import dev.groupcache.PeerAddress;
import dev.groupcache.discovery.DiscoveryStats;
import dev.groupcache.jcache.cluster.ClusterNode;
import dev.groupcache.jcache.management.CacheCounters;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The figures of this JVM's cluster node and of one manager's caches, for an application's own
 * Micrometer registry:
 *
 * <pre>{@code
 * new GroupcacheMetrics(Caching.getCachingProvider().getCacheManager()).bindTo(registry);
 * }</pre>
 *
 * <p>Counters and gauges read the node's own counters when the registry is scraped, so binding
 * costs nothing on a get; the two timers (loads, and round trips to each peer) record as they
 * happen. Caches created after binding are bound as they are created, and a destroyed cache's
 * meters are removed. The names, in Prometheus form, are listed in the README ("Metrics").
 * Under the agent, {@code groupcache.metrics.port} serves them with no application code.
 *
 * <p>Needs {@code io.micrometer:micrometer-core} on the class path; the provider does not bring it.
 */
public final class GroupcacheMetrics implements MeterBinder {
  private static final Duration[] LOAD_BUCKETS = buckets(1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000,
      10_000, 30_000);
  private static final Duration[] ROUND_TRIP_BUCKETS = buckets(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500,
      1_000, 5_000);

  private final GroupcacheCacheManager manager; // null: every manager's caches
  private final ClusterNode cluster; // null: an engine node's figures alone
  private final Node node;
  private final Map<String, List<Meter>> cacheMeters = new ConcurrentHashMap<>();
  private final Set<PeerAddress> peersBound = ConcurrentHashMap.newKeySet();
  private final Set<String> groupsBound = ConcurrentHashMap.newKeySet();
  private volatile MeterRegistry registry;

  /** The figures of {@code manager}'s caches and of the node they share. */
  public GroupcacheMetrics(javax.cache.CacheManager manager) {
    this.manager = manager.unwrap(GroupcacheCacheManager.class);
    this.cluster = this.manager.cluster();
    this.node = cluster.node();
  }

  /**
   * The figures of this JVM's node and of the caches of every manager that shares it, now and
   * later: what the agent's endpoint serves.
   *
   * @throws IllegalStateException if no node runs in this JVM yet
   */
  public GroupcacheMetrics() {
    this.manager = null;
    this.cluster = ClusterNode.current();
    if (cluster == null) {
      throw new IllegalStateException("no groupcache node runs in this JVM yet");
    }
    this.node = cluster.node();
  }

  /**
   * The figures of an engine node that an application runs itself, with no JCache manager: its
   * groups (now and later), ring, and peers' state, suspicions and round trips.
   */
  public GroupcacheMetrics(Node node) {
    this.manager = null;
    this.cluster = null;
    this.node = Objects.requireNonNull(node, "node");
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    this.registry = registry;
    bindEngine(registry, node);
    if (cluster == null) {
      return;
    }
    bindNode(registry, cluster);
    bindDiscovery(registry, cluster);
    GroupcacheCacheManager.onAnyCacheOpened(cache -> {
      if (bound(cache)) {
        bindCache(cache);
      }
    }, cache -> {
      if (bound(cache)) {
        unbindCache(cache);
      }
    });
  }

  /** What every node has, with or without JCache: ring, peers, round trips and groups. */
  private void bindEngine(MeterRegistry r, Node node) {
    Gauge.builder("groupcache.ring.members", node, n -> n.peers().size())
        .description("Members on this node's ring").register(r);
    Gauge.builder("groupcache.ring.version", node, n -> n.ringVersion() & ((1L << 52) - 1))
        .description("A fingerprint of the membership: equal on nodes that agree on it").register(r);
    for (PeerAddress peer : node.peers()) {
      bindPeer(r, node, peer);
    }
    node.observeGroups(group -> bindGroup(r, group));
    Map<PeerAddress, Timer> roundTrips = new ConcurrentHashMap<>();
    node.observeRoundTrips((peer, nanos) -> roundTrips.computeIfAbsent(peer, p -> {
      bindPeer(r, node, p);
      return Timer.builder("groupcache.peer.round.trip").tag("peer", p.toString())
          .description("From sending a request to a peer to its answer")
          .serviceLevelObjectives(ROUND_TRIP_BUCKETS).register(r);
    }).record(nanos, TimeUnit.NANOSECONDS));
  }

  /** The JCache node's own figures. */
  private void bindNode(MeterRegistry r, ClusterNode cluster) {
    Gauge.builder("groupcache.node.ready", cluster, c -> c.isReady() ? 1 : 0)
        .description("1 when discovery has synced and the node is not local-only").register(r);
    counter(r, "groupcache.owner.requests", cluster, ClusterNode::getOwnerRequests,
        "Requests answered here as the owner of a key");
    counter(r, "groupcache.invalidations.sent", cluster, ClusterNode::getInvalidationsSent,
        "Drops and events sent to other members for changes made here");
    counter(r, "groupcache.invalidations.late", cluster, ClusterNode::getLateInvalidations,
        "Drops and events a member did not confirm in time: the change went on after its lease ran out");
    counter(r, "groupcache.lease.expiries", cluster, ClusterNode::getLeaseExpiries,
        "Copy leases of this node that ran out while it held copies under them");
    counter(r, "groupcache.changes.published", cluster, ClusterNode::getChangesPublished,
        "Changes made at this node as an owner");
    counter(r, "groupcache.unavailable.reads", cluster, ClusterNode::getUnavailableReads,
        "Reads answered as misses, or loaded here, because the key's owner was unavailable");
    Gauge.builder("groupcache.backup.entries", cluster, ClusterNode::getBackupEntries)
        .description("Backups held here of other owners' entries").register(r);
    Gauge.builder("groupcache.backup.bytes", cluster, ClusterNode::getBackupBytes).baseUnit("bytes")
        .description("The weight of the backups held here").register(r);
    counter(r, "groupcache.backups.skipped", cluster, ClusterNode::getBackupsSkipped,
        "Backups not held because the member to hold them was unavailable");
    counter(r, "groupcache.backups.unconfirmed", cluster, ClusterNode::getBackupsUnconfirmed,
        "Changes not acknowledged because their backup went unanswered while a member acted for this node");
    counter(r, "groupcache.acted", cluster, ClusterNode::getActedForUnavailableOwners,
        "Operations answered here as the owner of an unavailable member's key");
    counter(r, "groupcache.ownership.waits", cluster, ClusterNode::getOwnershipWaits,
        "Operations on this node's keys that waited for the members that acted for it to hand back");
  }

  /**
   * An engine group's figures, named as golang groupcache's exporters name them; read from {@link
   * Group#stats()} when scraped.
   */
  private void bindGroup(MeterRegistry r, Group group) {
    if (!groupsBound.add(group.name())) {
      return;
    }
    Tags tags = Tags.of("group", group.name());
    groupCounter(r, "groupcache.gets", group, tags, GroupStats::gets, "Gets of the group on this node");
    groupCounter(r, "groupcache.hits", group, tags.and("cache", "main"), GroupStats::mainHits,
        "Gets answered by the main cache (keys this node owns, or loaded itself)");
    groupCounter(r, "groupcache.hits", group, tags.and("cache", "hot"), GroupStats::hotHits,
        "Gets answered by the hot cache (copies of popular keys of other owners)");
    groupCounter(r, "groupcache.loads", group, tags, GroupStats::loads, "Gets that found neither cache");
    groupCounter(r, "groupcache.loads.deduped", group, tags, GroupStats::loadsDeduplicated,
        "Loads after single flight: those not sharing another get's load");
    groupCounter(r, "groupcache.peer.loads", group, tags, GroupStats::peerLoads, "Values fetched from their owner");
    groupCounter(r, "groupcache.peer.errors", group, tags, GroupStats::peerErrors, "Fetches from an owner that failed");
    groupCounter(r, "groupcache.local.loads", group, tags, GroupStats::localLoads, "Calls of the loader on this node");
    groupCounter(r, "groupcache.local.load.errs", group, tags, GroupStats::localLoadErrors,
        "Calls of the loader that failed");
    groupCounter(r, "groupcache.server.requests", group, tags, GroupStats::serverRequests, "Requests from peers");
    for (String which : List.of("main", "hot")) {
      boolean main = which.equals("main");
      Tags t = tags.and("cache", which);
      Gauge.builder("groupcache.cache.bytes", group, g -> cacheOf(g, main).bytes()).tags(t)
          .description("Bytes of keys and values held").register(r);
      Gauge.builder("groupcache.cache.items", group, g -> cacheOf(g, main).entries()).tags(t)
          .description("Entries held").register(r);
      FunctionCounter.builder("groupcache.cache.evictions", group, g -> cacheOf(g, main).evictions()).tags(t)
          .description("Entries evicted for room").register(r);
    }
  }

  private static CacheStats cacheOf(Group group, boolean main) {
    GroupStats s = group.stats();
    return main ? s.main() : s.hot();
  }

  private static void groupCounter(MeterRegistry r, String name, Group group, Tags tags, ToDoubleFunction<GroupStats> f,
      String description) {
    FunctionCounter.builder(name, group, g -> f.applyAsDouble(g.stats())).tags(tags).description(description)
        .register(r);
  }

  /** A peer's state and suspicions; a peer that left the ring reads as NaN, not as suspected. */
  private void bindPeer(MeterRegistry r, Node node, PeerAddress peer) {
    if (peer.equals(node.self()) || !peersBound.add(peer)) {
      return;
    }
    Gauge.builder("groupcache.peer.up", node, n -> !n.peers().contains(peer) ? Double.NaN : n.isAvailable(peer) ? 1 : 0)
        .tag("peer", peer.toString())
        .description("1 while the peer answers, 0 while it is suspected").register(r);
    FunctionCounter.builder("groupcache.peer.suspicions", node, n -> n.suspicions(peer))
        .tag("peer", peer.toString()).description("Times the peer became suspected here").register(r);
    FunctionCounter.builder("groupcache.peer.call.errors", node, n -> n.callErrors(peer))
        .tag("peer", peer.toString())
        .description("Requests to the peer that failed: refused, past their deadline, or cut off").register(r);
  }

  private void bindDiscovery(MeterRegistry r, ClusterNode cluster) {
    gauge(r, "groupcache.discovery.ready", cluster, s -> s.ready() ? 1 : 0, "1 once discovery has synced");
    gauge(r, "groupcache.discovery.forbidden", cluster, s -> s.forbidden() ? 1 : 0,
        "1 while the API server refuses discovery (a missing RBAC rule)");
    gauge(r, "groupcache.discovery.peers", cluster, DiscoveryStats::peers, "Members discovery lists");
    gauge(r, "groupcache.discovery.draining", cluster, DiscoveryStats::draining, "Members on their way out");
    gauge(r, "groupcache.discovery.last.update.age.seconds", cluster, s -> s.lastUpdate() == null ? Double.NaN
        : Duration.between(s.lastUpdate(), Instant.now()).toMillis() / 1e3,
        "Seconds since discovery last told the node of a change");
    FunctionCounter.builder("groupcache.discovery.events", cluster, c -> c.discoveryStats().events())
        .description("Changes discovery saw: watch events, or DNS resolutions").register(r);
    FunctionCounter.builder("groupcache.discovery.watch.restarts", cluster, c -> c.discoveryStats().watchRestarts())
        .description("Watches that ended and were started again").register(r);
    FunctionCounter.builder("groupcache.discovery.relists", cluster, c -> c.discoveryStats().relists())
        .description("Full lists after the first").register(r);
  }

  /** Whether this binder covers {@code cache}: its manager's, or any with no manager given. */
  private boolean bound(GroupcacheCache<?, ?> cache) {
    return manager == null || cache.getCacheManager() == manager;
  }

  private void bindCache(GroupcacheCache<?, ?> cache) {
    MeterRegistry r = registry;
    if (r == null || cacheMeters.containsKey(cache.getName())) {
      return;
    }
    Tags tags = Tags.of("cache", cache.getName());
    CacheCounters counters = cache.owners().counters();
    List<Meter> meters = new ArrayList<>();
    for (String outcome : List.of("owned_hit", "near_hit", "remote_hit", "miss")) {
      ToDoubleFunction<CacheCounters> f = switch (outcome) {
        case "owned_hit" -> CacheCounters::ownedHits;
        case "near_hit" -> CacheCounters::nearHits;
        case "remote_hit" -> CacheCounters::remoteHits;
        default -> CacheCounters::misses;
      };
      meters.add(FunctionCounter.builder("groupcache.jcache.gets", counters, f).tags(tags).tag("outcome", outcome)
          .description("Gets on this node, by where they were answered").register(r));
    }
    meters.add(FunctionCounter.builder("groupcache.jcache.loads", counters, CacheCounters::loads).tags(tags)
        .description("Calls of the cache loader on this node").register(r));
    meters.add(FunctionCounter.builder("groupcache.jcache.load.errors", counters, CacheCounters::loadErrors).tags(tags)
        .description("Calls of the cache loader that failed").register(r));
    Timer loadTime = Timer.builder("groupcache.jcache.load.duration").tags(tags)
        .description("How long the cache loader took").serviceLevelObjectives(LOAD_BUCKETS).register(r);
    meters.add(loadTime);
    counters.timeLoads((nanos, failed) -> loadTime.record(nanos, TimeUnit.NANOSECONDS));
    String id = cache.id();
    meters.add(Gauge.builder("groupcache.jcache.entries", cluster, c -> c.service().ownedEntries(id)).tags(tags)
        .description("Entries this node holds as their owner").register(r));
    meters.add(Gauge.builder("groupcache.jcache.bytes", cluster, c -> c.service().ownedBytes(id)).tags(tags)
        .baseUnit("bytes").description("Their weight: keys, values and per-entry overhead").register(r));
    meters.add(FunctionCounter.builder("groupcache.jcache.evictions", cluster, c -> c.service().evictions(id)).tags(tags)
        .description("Owned entries evicted for room").register(r));
    meters.add(Gauge.builder("groupcache.jcache.near.entries", cache, c -> c.owners().nearEntries()).tags(tags)
        .description("Near copies this node holds of other owners' entries").register(r));
    cacheMeters.put(cache.getName(), meters);
  }

  private void unbindCache(GroupcacheCache<?, ?> cache) {
    List<Meter> meters = cacheMeters.remove(cache.getName());
    MeterRegistry r = registry;
    if (meters != null && r != null) {
      meters.forEach(r::remove);
      cache.owners().counters().timeLoads(null);
    }
  }

  private static void counter(MeterRegistry r, String name, ClusterNode cluster, ToDoubleFunction<ClusterNode> f,
      String description) {
    FunctionCounter.builder(name, cluster, f).description(description).register(r);
  }

  private static void gauge(MeterRegistry r, String name, ClusterNode cluster, ToDoubleFunction<DiscoveryStats> f,
      String description) {
    Gauge.builder(name, cluster, c -> f.applyAsDouble(c.discoveryStats())).description(description).register(r);
  }

  private static Duration[] buckets(double... millis) {
    Duration[] d = new Duration[millis.length];
    for (int i = 0; i < millis.length; i++) {
      d[i] = Duration.ofNanos((long) (millis[i] * 1_000_000));
    }
    return d;
  }
}
