package dev.groupcache;

import com.google.protobuf.UnsafeByteOperations;
import dev.groupcache.proto.GetRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.util.concurrent.ThreadLocalRandom;

/**
 * This node's link to one peer: one channel, one {@link ClientExchange} stream over it at a time,
 * and the peer's backoff state.
 *
 * <p>After a transport failure (unreachable, past its deadline, stream broken) the peer is skipped
 * for a backoff period that starts at {@value #BASE_BACKOFF_MILLIS} ms and doubles with each
 * further failure up to {@value #MAX_BACKOFF_MILLIS} ms, with jitter; one success resets it.
 */
final class PeerClient {
  static final long BASE_BACKOFF_MILLIS = 200;
  static final long MAX_BACKOFF_MILLIS = 5_000;

  /** Receives the outcome of one request, on a transport thread; must not block. */
  interface Callback {
    /** The peer's value, with the peer's ring version. */
    void onReply(ByteView value, long ringVersion);

    /**
     * A {@link RemoteFailure} for the peer's verdicts; a {@link io.grpc.StatusException} or
     * {@link java.util.concurrent.TimeoutException} for transport failures, which also start or
     * extend the backoff.
     */
    void onFailure(Throwable failure);
  }

  /**
   * The peer answered with a failure that loading here would only repeat: its loader failed, or the
   * value breaks a size limit.
   */
  static final class RemoteFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient PeerAddress peer;
    private final Status.Code code;

    RemoteFailure(PeerAddress peer, Status.Code code, String message) {
      super(message, null, false, false);
      this.peer = peer;
      this.code = code;
    }

    PeerAddress peer() {
      return peer;
    }

    Status.Code code() {
      return code;
    }

    /** Whether a failure with this code is the peer's verdict rather than a transport problem. */
    static boolean isVerdict(Status.Code code) {
      return code == Status.Code.ABORTED
          || code == Status.Code.RESOURCE_EXHAUSTED
          || code == Status.Code.INVALID_ARGUMENT;
    }
  }

  private final PeerAddress address;
  private final ManagedChannel channel;
  private final int maxValueBytes;
  private volatile ClientExchange exchange;
  private volatile boolean backingOff;
  private volatile long skipUntilNanos;
  private int failures; // guarded by this

  PeerClient(PeerAddress address, ManagedChannel channel, int maxValueBytes) {
    this.address = address;
    this.channel = channel;
    this.maxValueBytes = maxValueBytes;
  }

  PeerAddress address() {
    return address;
  }

  /** False while the peer is backing off after failures. */
  boolean available() {
    return !backingOff || System.nanoTime() - skipUntilNanos >= 0;
  }

  /** Asks the peer for a key; the callback hears the outcome exactly once. */
  void get(String group, ByteView key, long ringVersion, long timeoutMillis, Callback callback) {
    GetRequest request = GetRequest.newBuilder()
        .setGroup(group)
        .setKey(UnsafeByteOperations.unsafeWrap(key.array()))
        .setRingVersion(ringVersion)
        .build();
    exchange().get(request, timeoutMillis, callback);
  }

  int maxValueBytes() {
    return maxValueBytes;
  }

  private ClientExchange exchange() {
    ClientExchange current = exchange;
    if (current != null && current.isOpen()) {
      return current;
    }
    synchronized (this) {
      current = exchange;
      if (current == null || !current.isOpen()) {
        if (current != null) {
          channel.resetConnectBackoff(); // our own backoff decided it is time to try again
        }
        current = ClientExchange.open(this, channel);
        exchange = current;
      }
      return current;
    }
  }

  /** The peer answered: ends any backoff. Cheap when there is none. */
  void succeeded() {
    if (backingOff) {
      synchronized (this) {
        failures = 0;
        backingOff = false;
      }
    }
  }

  /** The peer failed to answer: starts or extends the backoff. */
  synchronized void failed() {
    failures = Math.min(failures + 1, 30);
    long backoff = Math.min(MAX_BACKOFF_MILLIS, BASE_BACKOFF_MILLIS << Math.min(failures - 1, 16));
    long jittered = (long) (backoff * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
    skipUntilNanos = System.nanoTime() + jittered * 1_000_000L;
    backingOff = true;
  }

  /** Ends the stream once its requests are answered and closes the channel. */
  void close() {
    ClientExchange current = exchange;
    if (current != null) {
      current.halfClose();
    }
    channel.shutdown();
  }

  ManagedChannel channel() {
    return channel;
  }

  @Override
  public String toString() {
    return "PeerClient[" + address + "]";
  }
}
