package dev.groupcache;

import java.util.concurrent.atomic.LongAdder;

/**
 * The live counters behind {@link GroupStats}; striped so that concurrent gets do not contend.
 * Gets are not counted: every get is a main hit, a hot hit or a load, so a hit costs one increment.
 */
final class GroupCounters {
  final LongAdder mainHits = new LongAdder();
  final LongAdder hotHits = new LongAdder();
  final LongAdder loads = new LongAdder();
  final LongAdder loadsDeduplicated = new LongAdder();
  final LongAdder peerLoads = new LongAdder();
  final LongAdder peerErrors = new LongAdder();
  final LongAdder peerSkips = new LongAdder();
  final LongAdder localLoads = new LongAdder();
  final LongAdder localLoadErrors = new LongAdder();
  final LongAdder serverRequests = new LongAdder();
  final LongAdder ringSkew = new LongAdder();
  final LongAdder hotAdmissions = new LongAdder();

  GroupStats snapshot(CacheStats main, CacheStats hot) {
    long mainHits = this.mainHits.sum();
    long hotHits = this.hotHits.sum();
    long loads = this.loads.sum();
    return new GroupStats(
        mainHits + hotHits + loads,
        mainHits,
        hotHits,
        loads,
        loadsDeduplicated.sum(),
        peerLoads.sum(),
        peerErrors.sum(),
        peerSkips.sum(),
        localLoads.sum(),
        localLoadErrors.sum(),
        serverRequests.sum(),
        ringSkew.sum(),
        hotAdmissions.sum(),
        main,
        hot);
  }
}
