package dev.groupcache;

import com.google.protobuf.UnsafeByteOperations;
import dev.groupcache.proto.CallRequest;
import dev.groupcache.proto.CallResponse;
import dev.groupcache.proto.GetRequest;
import dev.groupcache.proto.GetResponse;
import dev.groupcache.proto.Request;
import dev.groupcache.proto.Response;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * This node's link to one peer: one channel, one {@link ClientExchange} stream over it at a time,
 * and the peer's backoff state.
 *
 * <p>After a transport failure (unreachable, past its deadline, stream broken) the peer is skipped
 * for a backoff period that starts at {@value #BASE_BACKOFF_MILLIS} ms and doubles with each
 * further failure up to {@value #MAX_BACKOFF_MILLIS} ms, with jitter; one answer resets it.
 *
 * <p>The channel connects as soon as the link is made, so that the first request does not wait
 * for TCP and HTTP/2 set-up. A peer may be listed before it listens, though, and gRPC keeps a
 * channel whose connection failed in {@code TRANSIENT_FAILURE}, failing every call at once until
 * its own reconnect backoff (1 s, growing to 2 min) has passed. This link keeps its own backoff
 * instead: a stream opened on a channel in that state gets a new channel, which connects for it.
 */
final class PeerClient {
  static final long BASE_BACKOFF_MILLIS = 200;
  static final long MAX_BACKOFF_MILLIS = 5_000;

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

  /**
   * Whether a response with this code shows a live peer: a verdict, or a refusal such as an
   * unknown group ({@code NOT_FOUND}) or operation ({@code UNIMPLEMENTED}). Anything else starts
   * the backoff.
   */
  static boolean peerAnswered(Status.Code code) {
    return RemoteFailure.isVerdict(code) || code == Status.Code.NOT_FOUND || code == Status.Code.UNIMPLEMENTED;
  }

  private final PeerAddress address;
  private final Supplier<ManagedChannel> channels;
  private final MessageLimits limits;
  private volatile ManagedChannel channel; // replaced and shut down only under this
  private volatile ClientExchange exchange;
  private volatile boolean backingOff;
  private volatile long skipUntilNanos;
  private int failures; // guarded by this

  /** @param channels makes a channel to the peer; called now, and again for a failed channel */
  PeerClient(PeerAddress address, Supplier<ManagedChannel> channels, MessageLimits limits) {
    this.address = address;
    this.channels = channels;
    this.limits = limits;
    this.channel = channels.get();
    channel.getState(true); // connect now
  }

  PeerAddress address() {
    return address;
  }

  /** False while the peer is backing off after failures. */
  boolean available() {
    return !backingOff || System.nanoTime() - skipUntilNanos >= 0;
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
          channel = channels.get(); // our own backoff decided it is time to try again
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
      current.halfClose(); // outside our lock: a failing send holds the stream's, then takes ours
    }
    synchronized (this) {
      channel.shutdown(); // whichever channel is current: exchange() replaces none after this
    }
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
