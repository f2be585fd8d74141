package dev.groupcache;

import com.google.protobuf.UnsafeByteOperations;
import dev.groupcache.proto.CallRequest;
import dev.groupcache.proto.CallResponse;
import dev.groupcache.proto.GetRequest;
import dev.groupcache.proto.GetResponse;
import dev.groupcache.proto.Ping;
import dev.groupcache.proto.Request;
import dev.groupcache.proto.Response;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * This node's link to one peer: one channel, one {@link ClientExchange} stream over it at a time,
 * and what this node knows of the peer's health.
 *
 * <p>The link notes when it last heard from the peer (any batch: an answer or an acknowledgement).
 * The node's {@link FailureDetector} visits it every probe interval ({@link #check}): it pings a
 * peer it has not heard from for an interval, and suspects one it has been waiting on (a ping or
 * requests) without hearing anything for the failure timeout. A stream that fails with
 * {@code UNAVAILABLE} (refused, reset, ended by the peer) makes the link suspect its peer at once.
 * Suspicion fails every request waiting on the link at once, rather than at each caller's own
 * deadline, and makes {@link #available()} false, so that callers load locally or fail fast; the
 * link goes on pinging, and the first thing heard from the peer ends the suspicion.
 *
 * <p>The channel connects as soon as the link is made, so that the first request does not wait
 * for TCP and HTTP/2 set-up. A peer may be listed before it listens, though, and gRPC keeps a
 * channel whose connection failed in {@code TRANSIENT_FAILURE}, failing every call at once until
 * its own reconnect backoff (1 s, growing to 2 min) has passed. This link probes on its own
 * schedule instead: a stream opened on a channel in that state gets a new channel, which connects
 * for it.
 */
final class PeerClient {
  /** Receives the outcome of one get, on a transport thread; must not block. */
  interface Callback {
    /** The peer's value, with the peer's ring version. */
    void onReply(ByteView value, long ringVersion);

    /**
     * A {@link RemoteFailure} for the peer's verdicts; a {@link io.grpc.StatusException} or
     * {@link java.util.concurrent.TimeoutException} when the peer refused the request or did not
     * answer.
     */
    void onFailure(Throwable failure);
  }

  /**
   * The peer answered with a failure that trying elsewhere would only repeat: its loader or
   * service failed, a size limit was broken, or it does not own the key.
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

    /** Whether a failure with this code is the peer's verdict rather than a refusal or a fault. */
    static boolean isVerdict(Status.Code code) {
      return code == Status.Code.ABORTED
          || code == Status.Code.RESOURCE_EXHAUSTED
          || code == Status.Code.INVALID_ARGUMENT
          || code == Status.Code.FAILED_PRECONDITION;
    }
  }

  private final PeerAddress address;
  private final Supplier<ManagedChannel> channels;
  private final MessageLimits limits;
  private final FailureDetector detector;
  private final AtomicBoolean pinging = new AtomicBoolean();
  private volatile ManagedChannel channel; // replaced and shut down only under this
  private volatile ClientExchange exchange;
  private volatile long lastHeardNanos;
  private volatile long waitingSinceNanos; // the first send since lastHeardNanos, if later than it
  private volatile String suspicion; // why the peer is suspected; null while it is not
  private long suspectedSinceNanos; // guarded by this
  private boolean closed; // guarded by this

  /**
   * @param channels makes a channel to the peer; called now, and again for a failed channel
   * @param detector the node's, which this link tells of every change of the peer's state
   */
  PeerClient(PeerAddress address, Supplier<ManagedChannel> channels, MessageLimits limits,
      FailureDetector detector) {
    this.address = address;
    this.channels = channels;
    this.limits = limits;
    this.detector = detector;
    this.lastHeardNanos = System.nanoTime(); // a new link gets an interval before its first ping
    this.waitingSinceNanos = lastHeardNanos;
    this.channel = channels.get();
    channel.getState(true); // connect now
  }

  PeerAddress address() {
    return address;
  }

  /** False while the peer is suspected. */
  boolean available() {
    return suspicion == null;
  }

  /** Why the peer is suspected, or null if it is not. */
  String suspicion() {
    return suspicion;
  }

  /** Asks the peer for a key of a group; the callback hears the outcome exactly once. */
  void get(String group, ByteView key, long ringVersion, long timeoutMillis, Callback callback) {
    GetRequest get = GetRequest.newBuilder()
        .setGroup(group)
        .setKey(UnsafeByteOperations.unsafeWrap(key.array()))
        .setRingVersion(ringVersion)
        .build();
    exchange().send(Request.newBuilder().setGet(get), timeoutMillis, new ClientExchange.Answer() {
      @Override
      public void onResponse(Response response) {
        if (response.getResultCase() == Response.ResultCase.GET) {
          GetResponse r = response.getGet();
          if (r.getValue().size() > limits.maxValueBytes()) {
            callback.onFailure(new RemoteFailure(address, Status.Code.RESOURCE_EXHAUSTED, "value of "
                + r.getValue().size() + " bytes exceeds this node's limit of " + limits.maxValueBytes()));
          } else {
            callback.onReply(ByteView.copyOf(r.getValue()), r.getRingVersion());
          }
        } else {
          callback.onFailure(failure(response));
        }
      }

      @Override
      public void onFailure(Throwable failure) {
        callback.onFailure(failure);
      }
    });
  }

  /** Sends a request to a service on the peer; the answer hears the raw response exactly once. */
  void call(CallRequest call, long timeoutMillis, ClientExchange.Answer answer) {
    exchange().send(Request.newBuilder().setCall(call), timeoutMillis, answer);
  }

  /** The failure a non-value response stands for. */
  Exception failure(Response response) {
    if (response.getResultCase() != Response.ResultCase.FAILURE) {
      return Status.INTERNAL.withDescription(address + " sent a response this node does not understand")
          .asException();
    }
    Status.Code code = Status.fromCodeValue(response.getFailure().getCode()).getCode();
    String message = response.getFailure().getMessage();
    return RemoteFailure.isVerdict(code)
        ? new RemoteFailure(address, code, message)
        : Status.fromCode(code).withDescription(address + ": " + message).asException();
  }

  /** The payload of a call's response, or null (with {@link #failure}) when it is not one. */
  static CallResponse callResponse(Response response) {
    return response.getResultCase() == Response.ResultCase.CALL ? response.getCall() : null;
  }

  private ClientExchange exchange() {
    ClientExchange current = exchange;
    if (current != null && current.isOpen()) {
      return current;
    }
    synchronized (this) {
      current = exchange;
      if (current == null || !current.isOpen()) {
        if (!channel.isShutdown() && channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
          ManagedChannel failed = channel;
          channel = channels.get(); // a ping or a request decided it is time to try again
          failed.shutdownNow();
        }
        current = ClientExchange.open(this, channel);
        exchange = current;
      }
      return current;
    }
  }

  MessageLimits limits() {
    return limits;
  }

  /** Something came from the peer: it is alive, and no longer suspected. */
  /** A request failed: refused, past its deadline, or its stream ended. */
  void callFailed() {
    detector.callFailed(address);
  }

  /** A request was answered {@code nanos} after it was sent. */
  void roundTrip(long nanos) {
    detector.roundTrip(address, nanos);
  }

  void heard() {
    long now = System.nanoTime();
    lastHeardNanos = now;
    if (suspicion != null) {
      synchronized (this) {
        if (suspicion != null && !closed) {
          suspicion = null;
          detector.back(address, now - suspectedSinceNanos); // under the lock: after its "suspected"
        }
      }
    }
  }

  /**
   * A stream to the peer ended, not by this node's choice: {@code UNAVAILABLE} is a suspicion; a
   * peer {@code leaving} (it ended the stream in order) is one too, but no sign of trouble.
   */
  void streamEnded(Status status, boolean leaving) {
    if (status.getCode() == Status.Code.UNAVAILABLE) {
      Throwable cause = status.getCause();
      suspect((leaving ? "" : "its stream failed: ") + status.getDescription()
          + (cause == null || cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")"), false, 0, leaving);
    }
  }

  /**
   * A request or a ping leaves for the peer at {@code now}: if nothing was sent since the peer was
   * last heard, the link waits from now. Racing senders may leave an earlier sending time, which
   * only shortens the wait by the time between them.
   */
  void sending(long now) {
    if (waitingSinceNanos - lastHeardNanos <= 0) {
      waitingSinceNanos = now;
    }
  }

  /**
   * One visit of the failure detector: suspects the peer if something sent to it has gone
   * unanswered, with nothing else heard, for the failure timeout (only when {@code judge}: see
   * {@link FailureDetector}), and pings it if nothing was heard for an interval and no ping is out.
   * The wait counts from the first unanswered send rather than from the last thing heard, so that
   * a request or ping sent after a quiet spell gets the whole timeout.
   */
  void check(long now, boolean judge) {
    long waitingSince = waitingSinceNanos;
    long lastHeard = lastHeardNanos;
    if (judge && suspicion == null && waitingSince - lastHeard > 0
        && now - waitingSince >= detector.timeoutNanos()) {
      suspect("nothing heard from it for " + TimeUnit.NANOSECONDS.toMillis(now - lastHeard) + " ms, "
          + TimeUnit.NANOSECONDS.toMillis(now - waitingSince) + " ms of them waiting for an answer", true, lastHeard, false);
    }
    if (now - lastHeard >= detector.intervalNanos()) {
      ping();
    }
  }

  /** Sends a ping unless one is out; a suspected peer's next stream opens for it. */
  private void ping() {
    if (!pinging.compareAndSet(false, true)) {
      return;
    }
    synchronized (this) {
      if (closed) {
        pinging.set(false);
        return;
      }
    }
    exchange().send(Request.newBuilder().setPing(Ping.getDefaultInstance()),
        TimeUnit.NANOSECONDS.toMillis(detector.timeoutNanos()), new ClientExchange.Answer() {
          @Override
          public void onResponse(Response response) {
            pinging.set(false); // the batch carrying it was heard already
          }

          @Override
          public void onFailure(Throwable failure) {
            pinging.set(false); // unanswered in time, or the stream failed: the detector judges that
          }
        });
  }

  /**
   * Suspects the peer, once until it is heard again: ends the current stream with
   * {@code UNAVAILABLE}, failing every request waiting on it now rather than at its deadline.
   *
   * @param ofSilence whether the suspicion is of silence, judged on {@code lastHeard}: if the peer
   *     has been heard since, it is not suspected; a failure stands regardless
   */
  private void suspect(String why, boolean ofSilence, long lastHeard, boolean leaving) {
    synchronized (this) {
      if (suspicion != null || closed) {
        return;
      }
      suspicion = why;
      // heard() writes lastHeardNanos and then reads suspicion; this writes suspicion and then
      // reads lastHeardNanos: a batch arriving meanwhile is seen by one of the two.
      if (ofSilence && lastHeardNanos != lastHeard) {
        suspicion = null;
        return;
      }
      suspectedSinceNanos = System.nanoTime();
      detector.suspected(address, why, leaving); // under the lock, so that no "back" can precede it
    }
    ClientExchange current = exchange;
    if (current != null) {
      current.abort(Status.UNAVAILABLE.withDescription(address + " is suspected: " + why));
    }
  }

  /**
   * Ends the stream once its requests are answered and closes the channel; the peer's state no
   * longer changes.
   *
   * @return whether the peer was suspected
   */
  boolean close() {
    synchronized (this) {
      closed = true;
    }
    ClientExchange current = exchange;
    if (current != null) {
      current.halfClose(); // outside our lock: a failing send holds the stream's, then takes ours
    }
    synchronized (this) {
      channel.shutdown(); // whichever channel is current: exchange() replaces none after this
    }
    return suspicion != null;
  }

  /** The current channel; a closed link keeps its last one. */
  ManagedChannel channel() {
    return channel;
  }

  @Override
  public String toString() {
    return "PeerClient[" + address + "]";
  }
}
