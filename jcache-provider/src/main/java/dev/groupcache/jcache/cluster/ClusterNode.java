package dev.groupcache.jcache.cluster;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.groupcache.Node;
import dev.groupcache.discovery.Discovery;
import dev.groupcache.discovery.DiscoveryConfig;
import dev.groupcache.discovery.DiscoveryMode;
import dev.groupcache.discovery.PeerSource;
import dev.groupcache.jcache.NodeMXBean;
import dev.groupcache.jcache.NodeStatistics;
import dev.groupcache.jcache.configuration.Settings;
import dev.groupcache.jcache.configuration.SettingsKey;
import dev.groupcache.jcache.management.Management;
import dev.groupcache.jcache.security.PeerTls;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * This JVM's member of the cluster: the engine's {@link Node} (peer server and ring), the
 * discovery source that keeps the ring's membership, and the JCache service. One per JVM, shared
 * by every CacheManager; the first manager starts it, the last one to close stops it.
 */
public final class ClusterNode implements AutoCloseable, NodeMXBean {
  private static final System.Logger LOG = System.getLogger(ClusterNode.class.getName());

  private static ClusterNode current; // guarded by ClusterNode.class
  private static int users; // guarded by ClusterNode.class

  private final Settings settings;
  private final Node node;
  private final PeerSource discovery;
  private final CacheService service;
  private final ScheduledExecutorService timer;
  private final ExecutorService events;
  private final PeerTls tls; // null: plaintext
  private final boolean localOnly;
  private final Ticker ticker = Ticker.systemTicker();

  /**
   * @param localOnly a fallback for a node that could not start: no server and no discovery, this
   *     node the only member, reported not ready
   */
  private ClusterNode(Settings settings, boolean localOnly) {
    this.settings = settings;
    this.localOnly = localOnly;
    String self = localOnly ? "127.0.0.1:" + settings.port() : settings.self().orElseThrow(() -> new IllegalStateException(
        "groupcache.self is not set and POD_IP is not in the environment: this node does not know its address"));
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, daemons("groupcache-jcache-timer"));
    timer.setRemoveOnCancelPolicy(true); // a change's wait for a holder's lease is cancelled when it confirms
    this.timer = timer;
    this.events = Executors.newCachedThreadPool(daemons("groupcache-jcache-events"));
    try {
      this.tls = localOnly ? null : settings.tls().map(t -> PeerTls.start(t, timer)).orElse(null);
    } catch (RuntimeException e) {
      shutdownExecutors();
      throw e;
    }
    Node.Builder builder = Node.builder()
        .self(self)
        .serve(!localOnly && settings.serve())
        .port(settings.port())
        .vnodes(settings.vnodes())
        .ioThreads(settings.ioThreads())
        .maxKeyBytes(settings.maxKeyBytes())
        .maxValueBytes(settings.maxValueBytes())
        .failureTimeout(settings.failureTimeout())
        .membersOnly(settings.membersOnly());
    settings.bindHost().ifPresent(builder::bindHost);
    if (tls != null) {
      builder.serverCredentials(tls.serverCredentials()).channelCredentials(tls.channelCredentials());
    } else if (!localOnly) {
      LOG.log(Level.WARNING, "groupcache peer port {0} is PLAINTEXT AND UNAUTHENTICATED: "
          + (settings.membersOnly() ? "anyone on the network path can read and alter its traffic, and members are"
              + " told apart from others only by the IP address their requests come from."
              : "any pod that can reach it can read, overwrite and clear every cache ({4} is off).")
          + " Turn on mutual TLS with {1}, {2} and {3} (README, Security).",
          String.valueOf(settings.port()), SettingsKey.TLS_CERT.key(), SettingsKey.TLS_KEY.key(),
          SettingsKey.TLS_CA.key(), SettingsKey.MEMBERS_ONLY.key());
    }
    try {
      this.node = builder.build();
    } catch (RuntimeException e) {
      shutdownExecutors();
      throw e;
    }
    try {
      this.service = new CacheService(node, timer, settings::cache, settings.invalidationTimeout(), settings.lease(),
          ticker);
      node.registerService(CacheService.NAME, service);
      long tick = settings.lease().toNanos() / 4;
      timer.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.NANOSECONDS);
      this.discovery = Discovery.create(localOnly
          ? DiscoveryConfig.builder().mode(DiscoveryMode.STATIC).staticPeers(List.of(self)).build()
          : settings.discoveryConfig().build());
      discovery.addListener(peers -> node.setPeers(peers.peers()));
      if (!discovery.start(settings.discoverySyncTimeout())) {
        LOG.log(Level.WARNING, "groupcache node {0} starts not ready: discovery has not synced ({1})",
            node.self(), discovery.stats().lastError());
      }
    } catch (RuntimeException e) {
      node.close();
      shutdownExecutors();
      throw e;
    }
    Management.registerNode(this);
    LOG.log(Level.INFO, "groupcache node {0} started{1}, settings from {2}", node.self(),
        localOnly ? " LOCAL-ONLY" : ", discovery " + settings.discovery(), settings.sources());
  }

  private void tick() {
    try {
      service.tick();
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "the periodic work of copy leases and listeners failed; it runs again", e);
    }
  }

  /**
   * The JVM's node, started from {@code settings} if there is none; every call needs a release.
   *
   * @param failOpen whether a node that cannot start is replaced by a local-only one (after one
   *     loud log line) instead of failing
   */
  public static synchronized ClusterNode acquire(Settings settings, boolean failOpen) {
    if (current == null) {
      try {
        current = new ClusterNode(settings, false);
      } catch (RuntimeException e) {
        if (!failOpen) {
          throw e;
        }
        LOG.log(Level.ERROR, "GROUPCACHE NODE DID NOT START: " + e.getMessage() + ". Caches work on this JVM alone, "
            + "shared with no one, and the node reports not ready (" + Management.NODE + "). Set "
            + "groupcache.agent.fail-fast=true to stop the application instead.", e);
        current = new ClusterNode(settings, true);
      }
    }
    users++;
    return current;
  }

  /** The JVM's node, or null if none is running. */
  public static synchronized ClusterNode current() {
    return current;
  }

  /** Gives back an {@link #acquire}; the last one stops the node. */
  public static synchronized void release(ClusterNode node) {
    if (node != current || users == 0) {
      return;
    }
    if (--users == 0) {
      current = null;
      node.close();
    }
  }

  Settings settings() {
    return settings;
  }

  public Node node() {
    return node;
  }

  public CacheService service() {
    return service;
  }

  /** The clock entries and near copies expire by. */
  public Ticker ticker() {
    return ticker;
  }

  ScheduledExecutorService timer() {
    return timer;
  }

  public ExecutorService events() {
    return events;
  }

  /**
   * What a peer server of this node must use: mutual TLS from {@code groupcache.tls.*}, or
   * plaintext when those are not set. For the application's own server when {@code
   * groupcache.serve} is false; the node's own server already uses them.
   */
  public ServerCredentials serverCredentials() {
    return tls != null ? tls.serverCredentials() : InsecureServerCredentials.create();
  }

  /** Whether discovery has synced and is not refused: a node that is not should report not ready. */
  @Override
  public boolean isReady() {
    return !localOnly && discovery.isReady();
  }

  @Override
  public boolean isLocalOnly() {
    return localOnly;
  }

  @Override
  public String getSelf() {
    return node.self().toString();
  }

  @Override
  public String[] getPeers() {
    return node.peers().stream().map(Object::toString).toArray(String[]::new);
  }

  @Override
  public long getOwnerRequests() {
    return service.ownerRequests();
  }

  @Override
  public long getLateInvalidations() {
    return service.lateInvalidations();
  }

  @Override
  public long getSuspicions() {
    return node.suspicions();
  }

  @Override
  public long getLeaseExpiries() {
    return service.leaseExpiries();
  }

  @Override
  public long getChangesPublished() {
    return service.changes();
  }

  @Override
  public long getInvalidationsSent() {
    return service.drops();
  }

  @Override
  public long getUnavailableReads() {
    return service.unavailableReads();
  }

  @Override
  public long getBackupEntries() {
    return service.backupEntries();
  }

  @Override
  public long getBackupBytes() {
    return service.backupBytes();
  }

  @Override
  public long getBackupsSkipped() {
    return service.backupsSkipped();
  }

  @Override
  public long getBackupsUnconfirmed() {
    return service.backupsUnconfirmed();
  }

  @Override
  public long getActedForUnavailableOwners() {
    return service.acted();
  }

  @Override
  public long getOwnershipWaits() {
    return service.ownershipWaits();
  }

  public NodeStatistics statistics() {
    return new NodeStatistics(getSelf(), List.of(getPeers()), isReady(), getOwnerRequests(), getLateInvalidations(),
        getSuspicions(), getLeaseExpiries(), getChangesPublished(), getInvalidationsSent(), getUnavailableReads());
  }

  /** Discovery's figures. */
  public dev.groupcache.discovery.DiscoveryStats discoveryStats() {
    return discovery.stats();
  }

  public Duration peerTimeout() {
    return settings.peerTimeout();
  }

  /**
   * Stops the node. A node that discovery has already taken off the ring (its endpoint
   * terminating) first finishes handing its entries to their new owners, within {@code
   * groupcache.handover-timeout}, answering reads meanwhile.
   */
  @Override
  public void close() {
    Management.unregisterNode();
    discovery.close();
    try {
      if (!service.awaitHandoff(settings.handoverTimeout())) {
        LOG.log(Level.WARNING, "groupcache node {0} stops before its entries reached their new owners ({1})",
            node.self(), SettingsKey.HANDOVER_TIMEOUT.key());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    service.close();
    node.close();
    shutdownExecutors();
    LOG.log(Level.INFO, "groupcache node {0} stopped", node.self());
  }

  private void shutdownExecutors() {
    if (tls != null) {
      tls.close();
    }
    timer.shutdownNow();
    events.shutdown();
  }

  private static java.util.concurrent.ThreadFactory daemons(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
