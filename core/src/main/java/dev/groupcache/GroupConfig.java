package dev.groupcache;

import java.time.Duration;
import java.util.Objects;

/**
 * The settings of one {@link Group}. Immutable; made with {@link #builder(String)}.
 *
 * <p>The memory budget {@link #maxBytes()} covers both caches: the hot cache gets
 * {@code maxBytes * hotShare} and the main cache the rest. Every entry is weighed as its key's
 * length plus its value's length plus {@link #ENTRY_OVERHEAD_BYTES}, the heap an entry costs beyond
 * its bytes, so the budget is a budget of heap and not just of payload.
 */
public final class GroupConfig {
  /**
   * What an entry costs on the heap beyond its key and value bytes, on a 64-bit JVM with compressed
   * references: the cache's node, its hash-table node and slot, the key's {@link ByteView}, the
   * headers and padding of the key and value arrays, and a share of the frequency sketch. Measured
   * at 160-183 bytes on JDK 17 (200,000 entries; the spread is array padding);
   * {@code CacheMemoryTest} keeps the figure honest.
   */
  public static final int ENTRY_OVERHEAD_BYTES = 176;

  /** The largest hot share: at most one eighth of the budget mirrors other nodes' keys. */
  public static final double MAX_HOT_SHARE = 0.125;

  /**
   * The default hot share, one sixteenth. Popularity admission fills the hot cache with the keys
   * asked for most, and under a skewed load the hottest few hundred take most gets: halving the
   * hot cache from 1/8 loses few hot hits, while the main cache's extra room saves loads, which
   * cost far more than round trips. Measured on W4 (zipf, 16 MiB per node): hit ratio 0.903-0.904
   * against 0.898-0.899 at 1/8, at the same throughput.
   */
  public static final double DEFAULT_HOT_SHARE = 0.0625;

  private final String name;
  private final long maxBytes;
  private final double hotShare;
  private final HotAdmission hotAdmission;
  private final Duration peerTimeout;
  private final Duration loadTimeout;

  private GroupConfig(Builder b) {
    this.name = b.name;
    this.maxBytes = b.maxBytes;
    this.hotShare = b.hotShare;
    this.hotAdmission = b.hotAdmission;
    this.peerTimeout = b.peerTimeout;
    this.loadTimeout = b.loadTimeout;
  }

  /** Starts a configuration for the group {@code name}, with the defaults named on each setter. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  public String name() {
    return name;
  }

  public long maxBytes() {
    return maxBytes;
  }

  public double hotShare() {
    return hotShare;
  }

  public HotAdmission hotAdmission() {
    return hotAdmission;
  }

  public Duration peerTimeout() {
    return peerTimeout;
  }

  public Duration loadTimeout() {
    return loadTimeout;
  }

  long hotBytes() {
    return (long) (maxBytes * hotShare);
  }

  long mainBytes() {
    return maxBytes - hotBytes();
  }

  @Override
  public String toString() {
    return "GroupConfig{name=" + name + ", maxBytes=" + maxBytes + ", hotShare=" + hotShare
        + ", hotAdmission=" + hotAdmission + ", peerTimeout=" + peerTimeout
        + ", loadTimeout=" + loadTimeout + "}";
  }

  /** Builds a {@link GroupConfig}; every setter checks its argument and names it when it is wrong. */
  public static final class Builder {
    private final String name;
    private long maxBytes = 64L << 20;
    private double hotShare = DEFAULT_HOT_SHARE;
    private HotAdmission hotAdmission = HotAdmission.POPULAR;
    private Duration peerTimeout = Duration.ofSeconds(5);
    private Duration loadTimeout = Duration.ofSeconds(30);

    private Builder(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isEmpty() || name.length() > 256) {
        throw new IllegalArgumentException("group name must have 1-256 characters: '" + name + "'");
      }
      this.name = name;
    }

    /** The heap budget of both caches together, in bytes; 0 caches nothing. Default 64 MiB. */
    public Builder maxBytes(long maxBytes) {
      if (maxBytes < 0) {
        throw new IllegalArgumentException("maxBytes must be >= 0: " + maxBytes);
      }
      this.maxBytes = maxBytes;
      return this;
    }

    /**
     * The part of the budget for hot copies of other nodes' keys, 0 to 1/8; 0 turns it off.
     * Default {@link #DEFAULT_HOT_SHARE 1/16}.
     */
    public Builder hotShare(double hotShare) {
      if (!(hotShare >= 0 && hotShare <= MAX_HOT_SHARE)) {
        throw new IllegalArgumentException("hotShare must be between 0 and " + MAX_HOT_SHARE + ": " + hotShare);
      }
      this.hotShare = hotShare;
      return this;
    }

    /** Which fetched values get hot copies. Default {@link HotAdmission#POPULAR}. */
    public Builder hotAdmission(HotAdmission hotAdmission) {
      this.hotAdmission = Objects.requireNonNull(hotAdmission, "hotAdmission");
      return this;
    }

    /**
     * How long to wait for the owner of a key before loading it here instead. Must exceed the
     * loader's usual time, or slow loads are repeated on the asking nodes. Default 5 s. An owner
     * that stops answering altogether releases its waiters sooner, once the node suspects it
     * ({@link Node.Builder#failureTimeout}).
     */
    public Builder peerTimeout(Duration peerTimeout) {
      this.peerTimeout = positive("peerTimeout", peerTimeout);
      return this;
    }

    /**
     * How long a load may run before its waiters are released with a {@link LoadException}; the
     * next get of the key starts a new load. Bounds the damage of a loader that hangs. Default 30 s.
     */
    public Builder loadTimeout(Duration loadTimeout) {
      this.loadTimeout = positive("loadTimeout", loadTimeout);
      return this;
    }

    public GroupConfig build() {
      return new GroupConfig(this);
    }

    private static Duration positive(String what, Duration d) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive: " + d);
      }
      return d;
    }
  }
}
