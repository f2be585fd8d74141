package dev.groupcache.jcache.cluster;

import com.github.benmanes.caffeine.cache.Ticker;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A clock for owner stores and near copies that moves only when a test moves it. */
final class FakeTicker implements Ticker {
  private final AtomicLong nanos;

  /** @param startNanos may be negative: {@link System#nanoTime()} may be, and expiry uses differences only */
  FakeTicker(long startNanos) {
    this.nanos = new AtomicLong(startNanos);
  }

  @Override
  public long read() {
    return nanos.get();
  }

  void advanceMillis(long millis) {
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
  }
}
