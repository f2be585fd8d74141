package dev.groupcache.discovery;

import java.time.Duration;
import java.util.List;

/** A fixed list of peers: synced and ready from the start. */
final class StaticSource extends PublishingSource {
  private final PeerSet peers;

  StaticSource(List<String> peers) {
    super("static peers", Duration.ZERO);
    this.peers = PeerSet.of(peers);
  }

  @Override
  void begin() {
    events.incrementAndGet();
    offer(peers);
    synced();
  }

  @Override
  void end() {}
}
