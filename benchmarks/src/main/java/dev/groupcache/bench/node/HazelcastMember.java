package dev.groupcache.bench.node;

import com.hazelcast.cache.HazelcastCachingProvider;
import com.hazelcast.cache.ICache;
import com.hazelcast.cache.impl.maxsize.impl.EntryCountCacheEvictionChecker;
import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.cluster.ClusterState;
import com.hazelcast.config.CacheConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.EvictionConfig;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MaxSizePolicy;
import com.hazelcast.config.NearCacheConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.partition.Partition;
import com.hazelcast.partition.PartitionService;
import dev.groupcache.GroupConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.spi.CachingProvider;

/**
 * A Hazelcast 5 embedded member in its own JVM, used through its JCache API. The cluster is closed
 * and local: TCP/IP join to fixed ports on 127.0.0.1 only, no multicast, no auto-detection, no
 * phone-home, a cluster name unique to the run. Caches keep no backups, as groupcache keeps no
 * replicas, so that both hold each entry once.
 *
 * <p>Arguments: cluster name, this member's index, and the comma-separated ports of all members.
 */
public final class HazelcastMember implements BenchNode {
  private static final String PROVIDER = "com.hazelcast.cache.HazelcastCachingProvider";
  private static final String CLIENT_PROVIDER = "com.hazelcast.client.cache.HazelcastClientCachingProvider";
  /** Held so that the level set on it is not lost when the logger is collected. */
  private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");
  private static final long JOIN_TIMEOUT_MILLIS = 120_000;
  private static final long POLL_MILLIS = 100;

  private final HazelcastInstance hz;
  private final CacheManager manager;
  private final CachingProvider provider;
  private final String clusterName;
  private final List<Integer> ports;
  /** A client in this JVM with near caches, made for the first {@link #nearView}; or null. */
  private HazelcastInstance client;
  private CachingProvider clientProvider;

  private HazelcastMember(String clusterName, int index, List<Integer> ports) {
    this.clusterName = clusterName;
    this.ports = ports;
    hz = Hazelcast.newHazelcastInstance(config(clusterName, ports.get(index), ports));
    provider = Caching.getCachingProvider(PROVIDER);
    manager = provider.getCacheManager(null, null, HazelcastCachingProvider.propertiesByInstanceItself(hz));
  }

  /** The child JVM's entry point; speaks {@link CommandLoop}'s protocol. */
  public static void main(String[] args) {
    System.setProperty("hazelcast.logging.type", "jdk");
    System.setProperty("hazelcast.jcache.provider.type", "member");
    HAZELCAST_LOG.setLevel(Level.WARNING);
    List<Integer> ports = new ArrayList<>();
    for (String p : args[2].split(",")) {
      ports.add(Integer.parseInt(p));
    }
    CommandLoop.serve(() -> new HazelcastMember(args[0], Integer.parseInt(args[1]), ports));
  }

  private static Config config(String clusterName, int port, List<Integer> ports) {
    Config config = new Config();
    config.setClusterName(clusterName);
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.socket.bind.any", "false");
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(port).setPortAutoIncrement(false).setReuseAddress(true);
    network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    List<String> members = new ArrayList<>();
    for (int p : ports) {
      members.add("127.0.0.1:" + p);
    }
    join.getTcpIpConfig().setEnabled(true).setMembers(members);
    return config;
  }

  @Override
  public String id() {
    return hz.getCluster().getLocalMember().getUuid().toString();
  }

  /** Waits until all members have joined and every partition has a settled owner. */
  @Override
  public void join(List<String> ids) throws InterruptedException {
    PartitionService partitions = hz.getPartitionService();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_TIMEOUT_MILLIS);
    for (long i = 0; i < JOIN_TIMEOUT_MILLIS / POLL_MILLIS; i++) {
      if (hz.getCluster().getMembers().size() == ids.size() && partitions.isClusterSafe()
          && allOwned(partitions)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        break;
      }
      Thread.sleep(POLL_MILLIS);
    }
    throw new IllegalStateException("cluster of " + ids.size() + " not formed and safe within "
        + JOIN_TIMEOUT_MILLIS + " ms: " + hz.getCluster().getMembers());
  }

  private static boolean allOwned(PartitionService partitions) {
    for (Partition p : partitions.getPartitions()) {
      if (p.getOwner() == null) {
        return false;
      }
    }
    return true;
  }

  /**
   * Creates the cache cluster-wide on the first member the driver opens it on, and finds it on the
   * others.
   */
  @Override
  public BenchCache<String> open(CacheSpec spec) {
    Cache<String, byte[]> cache = manager.getCache(spec.name(), String.class, byte[].class);
    int limit = entryLimit(spec.maxBytes());
    if (cache == null) {
      CacheConfig<String, byte[]> config = new CacheConfig<>(spec.name());
      config.setTypes(String.class, byte[].class);
      config.setBackupCount(spec.backups()); // synchronous, as ours are
      config.setAsyncBackupCount(0);
      config.setStatisticsEnabled(false);
      config.setEvictionConfig(new EvictionConfig()
          .setMaxSizePolicy(MaxSizePolicy.ENTRY_COUNT)
          .setEvictionPolicy(EvictionPolicy.LRU)
          .setSize(limit));
      if (spec.readThrough()) {
        config.setReadThrough(true);
        config.setCacheLoaderFactory(new SleepingLoaderFactory(spec.loaderMillis()));
      }
      cache = manager.createCache(spec.name(), config);
    }
    @SuppressWarnings("unchecked") // unwrap takes a raw class; the cache is typed above
    ICache<String, byte[]> icache = cache.unwrap(ICache.class);
    PartitionService partitions = hz.getPartitionService();
    int partitionCount = partitions.getPartitions().size();
    return new JCacheAdapter(cache,
        key -> partitions.getPartition(key).getOwner().getUuid().toString(),
        () -> {
          Map<String, Long> m = new LinkedHashMap<>();
          m.put("entries_cluster", (long) icache.size());
          m.put("entry_count_size", (long) limit);
          m.put("partitions", (long) partitionCount);
          m.put("max_entries_per_partition",
              (long) EntryCountCacheEvictionChecker.calculateMaxPartitionSize(limit, partitionCount));
          m.put("target_entries_per_member", targetEntries(spec.maxBytes()));
          return m;
        });
  }

  /**
   * The cache through a Hazelcast client in this JVM with a near cache for it (its defaults:
   * entries kept serialized, so a hit deserializes a copy as store-by-value does; invalidated on
   * change): Hazelcast's JCache keeps near caches on clients only. Keys are owned as on the members.
   */
  @Override
  public BenchCache<?> nearView(String name, BenchCache<?> opened) {
    if (client == null) {
      ClientConfig config = new ClientConfig();
      config.setClusterName(clusterName);
      config.setProperty("hazelcast.phone.home.enabled", "false");
      for (int p : ports) {
        config.getNetworkConfig().addAddress("127.0.0.1:" + p);
      }
      config.addNearCacheConfig(new NearCacheConfig("*"));
      client = HazelcastClient.newHazelcastClient(config);
      clientProvider = Caching.getCachingProvider(CLIENT_PROVIDER);
    }
    CacheManager clientManager = clientProvider.getCacheManager(null, null,
        HazelcastCachingProvider.propertiesByInstanceItself(client));
    Cache<String, byte[]> cache = clientManager.getCache(name, String.class, byte[].class);
    if (cache == null) {
      throw new IllegalStateException("the client finds no cache " + name);
    }
    PartitionService partitions = hz.getPartitionService();
    return new JCacheAdapter(cache, key -> partitions.getPartition(key).getOwner().getUuid().toString(), Map::of);
  }

  /**
   * The number of entries that approximates a byte budget per member: budget / (1024 value bytes +
   * key bytes + groupcache's 176 bytes of per-entry overhead), the same weight groupcache gives an
   * entry.
   */
  public static long targetEntries(long maxBytesPerMember) {
    return maxBytesPerMember / (Values.VALUE_BYTES + KeySpace.MAX_KEY_BYTES
        + GroupConfig.ENTRY_OVERHEAD_BYTES);
  }

  /**
   * The ENTRY_COUNT size that holds a cache to about {@link #targetEntries} per member. Hazelcast
   * applies the size to the whole cache, not per member, and enforces it per partition with slack:
   * each partition may hold size / partitions plus a few standard deviations. So the size is the
   * largest whose per-partition cap, times the partition count, stays within the members' total.
   */
  private int entryLimit(long maxBytesPerMember) {
    if (maxBytesPerMember <= 0) {
      return Integer.MAX_VALUE;
    }
    int members = hz.getCluster().getMembers().size();
    int partitions = hz.getPartitionService().getPartitions().size();
    long total = targetEntries(maxBytesPerMember) * members;
    int lo = 1;
    int hi = (int) Math.min(Integer.MAX_VALUE, total);
    for (int i = 0; i < 64 && lo < hi; i++) { // binary search: ~31 steps
      int mid = (int) (((long) lo + hi + 1) / 2);
      long cap = (long) EntryCountCacheEvictionChecker.calculateMaxPartitionSize(mid, partitions) * partitions;
      if (cap <= total) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /**
   * Leaves the cluster gracefully. The first member to leave makes the cluster passive, so that
   * no partitions migrate to the members that stay behind only to leave next. The driver stops
   * the master last, so the others see orderly departures rather than lost connections.
   */
  @Override
  public void close() {
    if (client != null) {
      clientProvider.close();
      client.shutdown();
    }
    provider.close();
    if (!hz.getLifecycleService().isRunning()) {
      return;
    }
    try {
      if (hz.getCluster().getClusterState() != ClusterState.PASSIVE) {
        hz.getCluster().changeClusterState(ClusterState.PASSIVE);
      }
    } catch (RuntimeException e) {
      System.err.println("could not make the cluster passive before leaving: " + e);
    }
    hz.shutdown();
  }
}
