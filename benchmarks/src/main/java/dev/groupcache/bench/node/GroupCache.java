package dev.groupcache.bench.node;

import dev.groupcache.ByteView;
import dev.groupcache.Group;
import dev.groupcache.GroupStats;
import dev.groupcache.Node;
import java.util.LinkedHashMap;
import java.util.Map;

/** A groupcache {@link Group} seen as a {@link BenchCache}. */
final class GroupCache implements BenchCache<ByteView> {
  private final Node node;
  private final Group group;

  GroupCache(Node node, Group group) {
    this.node = node;
    this.group = group;
  }

  @Override
  public ByteView key(String key) {
    return ByteView.of(key);
  }

  @Override
  public int get(ByteView key) {
    return group.get(key).byteAt(0);
  }

  /** A get: the owner's loader fills its main cache, as an application's first read would. */
  @Override
  public void preload(ByteView key, String keyText) {
    group.get(key);
  }

  /** The engine has no puts: values come from the loader. */
  @Override
  public void put(ByteView key, byte[] value) {
    throw new UnsupportedOperationException("groupcache's engine has no put; its values come from the loader");
  }

  @Override
  public String owner(ByteView key) {
    return node.ownerOf(key).toString();
  }

  @Override
  public Map<String, Long> stats() {
    GroupStats s = group.stats();
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("gets", s.gets());
    m.put("main_hits", s.mainHits());
    m.put("hot_hits", s.hotHits());
    m.put("loads", s.loads());
    m.put("loads_deduplicated", s.loadsDeduplicated());
    m.put("peer_loads", s.peerLoads());
    m.put("peer_errors", s.peerErrors());
    m.put("peer_skips", s.peerSkips());
    m.put("local_loads", s.localLoads());
    m.put("server_requests", s.serverRequests());
    m.put("hot_admissions", s.hotAdmissions());
    m.put("main_entries", s.main().entries());
    m.put("main_bytes", s.main().bytes());
    m.put("hot_entries", s.hot().entries());
    m.put("hot_bytes", s.hot().bytes());
    m.put("evictions", s.evictions());
    return m;
  }
}
