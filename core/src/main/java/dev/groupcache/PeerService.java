package dev.groupcache;

import com.google.protobuf.UnsafeByteOperations;
import dev.groupcache.proto.CallRequest;
import dev.groupcache.proto.CallResponse;
import dev.groupcache.proto.Failure;
import dev.groupcache.proto.GetRequest;
import dev.groupcache.proto.GetResponse;
import dev.groupcache.proto.PeerGrpc;
import dev.groupcache.proto.RequestBatch;
import dev.groupcache.proto.ResponseBatch;
import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The node's side of the peer protocol: answers {@code Get} and {@code Exchange} from its own
 * groups. Every answer comes from this node's caches or its own loader; nothing is forwarded.
 *
 * <p>Handlers never block: a hit is answered on the transport's thread, a miss when its load
 * completes. The server can therefore run them directly on its event loop.
 */
final class PeerService implements BindableService {
  private static final System.Logger LOG = System.getLogger(PeerService.class.getName());

  private final LongAdder refusedCallers = new LongAdder();
  private final AtomicBoolean refusalLogged = new AtomicBoolean();
  private volatile Node node;

  /** The largest answer a requester accepts (members share their limits). */
  int maxResponseBytes() {
    Node node = this.node;
    return node == null ? Integer.MAX_VALUE : node.limits().maxResponseBytes();
  }

  /** Called once the node is built; requests that arrive before are answered UNAVAILABLE. */
  void attach(Node node) {
    this.node = node;
  }

  /** The outcome of one get: an immediate response, a failure, or a pending load. */
  static final class Answer {
    final GetResponse response;
    final Failure failure;
    final CompletableFuture<ByteView> pending;
    final Group group;

    private Answer(GetResponse response, Failure failure, CompletableFuture<ByteView> pending, Group group) {
      this.response = response;
      this.failure = failure;
      this.pending = pending;
      this.group = group;
    }
  }

  Answer answer(GetRequest request, Caller caller) {
    Node node = this.node;
    if (node == null) {
      return failed(Status.Code.UNAVAILABLE, "the node is starting");
    }
    if (node.membersOnly() && node.memberOf(caller) == null) {
      return new Answer(null, notAMember(node, caller), null, null);
    }
    Group group = node.group(request.getGroup()).orElse(null);
    if (group == null) {
      return failed(Status.Code.NOT_FOUND, "no group '" + request.getGroup() + "' on " + node.self());
    }
    int keyLength = request.getKey().size();
    if (keyLength == 0 || keyLength > node.maxKeyBytes()) {
      return failed(Status.Code.INVALID_ARGUMENT, "key of " + keyLength + " bytes: keys must have 1-"
          + node.maxKeyBytes() + " bytes on " + node.self());
    }
    ByteView key = ByteView.copyOf(request.getKey());
    ByteView value = group.lookupForPeer(key, request.getRingVersion());
    if (value != null) {
      return new Answer(response(value), null, null, group);
    }
    return new Answer(null, null, group.loadForPeer(key), group);
  }

  /**
   * Answers a call to a registered service: at once with a failure, or through the handler's
   * future. Never forwards: a call meant for the owner of a key this node does not own is refused.
   */
  CompletableFuture<CallResponse> answerCall(CallRequest request, Caller caller) {
    Node node = this.node;
    if (node == null) {
      return failedCall(Status.Code.UNAVAILABLE, "the node is starting");
    }
    PeerAddress sender = node.memberOf(caller);
    if (sender == null && node.membersOnly()) {
      Failure refusal = notAMember(node, caller);
      return failedCall(Status.Code.PERMISSION_DENIED, refusal.getMessage());
    }
    PeerHandler handler = node.service(request.getService());
    if (handler == null) {
      return failedCall(Status.Code.NOT_FOUND, "no service '" + request.getService() + "' on " + node.self());
    }
    int keyLength = request.getKey().size();
    if (keyLength > node.maxKeyBytes()) {
      return failedCall(Status.Code.INVALID_ARGUMENT, "key of " + keyLength + " bytes: keys must have 1-"
          + node.maxKeyBytes() + " bytes on " + node.self());
    }
    ByteView key = keyLength == 0 ? null : ByteView.copyOf(request.getKey());
    if (request.getToOwner()) {
      if (key == null) {
        return failedCall(Status.Code.INVALID_ARGUMENT, "a call to an owner needs a key");
      }
      PeerAddress owner = node.ownerOf(key);
      if (!owner.equals(node.self())) {
        return failedCall(Status.Code.FAILED_PRECONDITION, node.self() + " does not own this key on its ring "
            + Long.toHexString(node.ringVersion()) + "; " + owner + " does");
      }
    }
    CompletableFuture<ByteView> answer;
    try {
      answer = handler.handle(sender, key, ByteView.copyOf(request.getPayload()));
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    return answer.thenApply(value -> CallResponse.newBuilder()
        .setPayload(UnsafeByteOperations.unsafeWrap(value.array()))
        .setRingVersion(node.ringVersion())
        .build());
  }

  /**
   * The refusal of a request from a caller that is not shown to be a member: every operation but
   * a ping (which tells only that this node is running) is a member's.
   */
  private Failure notAMember(Node node, Caller caller) {
    refusedCallers.increment();
    Failure refusal = failure(Status.Code.PERMISSION_DENIED, node.self() + " takes peer requests only from members of"
        + " its ring " + Long.toHexString(node.ringVersion()) + ", each from its own host: refused " + caller);
    if (refusalLogged.compareAndSet(false, true)) { // once: a prober would otherwise fill the log
      LOG.log(System.Logger.Level.WARNING, "{0}; further refusals are not logged", refusal.getMessage());
    }
    return refusal;
  }

  /** Requests refused because their caller is not shown to be a member. */
  long refusedCallers() {
    return refusedCallers.sum();
  }

  /** A failed call; {@link #failure(Throwable)} turns it into the response. */
  private static CompletableFuture<CallResponse> failedCall(Status.Code code, String message) {
    return CompletableFuture.failedFuture(Status.fromCode(code).withDescription(message).asRuntimeException());
  }

  /**
   * What a failed call answers: the status given, INVALID_ARGUMENT for a request the service
   * rejected ({@link IllegalArgumentException}), or ABORTED with the service's message.
   */
  static Failure failure(Throwable cause) {
    Throwable t = cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null
        ? cause.getCause() : cause;
    if (t instanceof io.grpc.StatusRuntimeException) {
      Status status = ((io.grpc.StatusRuntimeException) t).getStatus();
      return failure(status.getCode(), String.valueOf(status.getDescription()));
    }
    if (t instanceof IllegalArgumentException) {
      return failure(Status.Code.INVALID_ARGUMENT, String.valueOf(t.getMessage()));
    }
    return failure(Status.Code.ABORTED, String.valueOf(t));
  }

  GetResponse response(ByteView value) {
    return GetResponse.newBuilder()
        .setValue(UnsafeByteOperations.unsafeWrap(value.array()))
        .setRingVersion(node.ringVersion())
        .build();
  }

  /** Maps a failed load to what the requester sees: the loader's message, never UNKNOWN. */
  Failure failure(Group group, Throwable cause) {
    if (cause instanceof Node.ValueTooLargeException) {
      return failure(Status.Code.RESOURCE_EXHAUSTED, cause.getMessage());
    }
    return failure(Status.Code.ABORTED, group.describeFailure(cause));
  }

  private static Answer failed(Status.Code code, String message) {
    return new Answer(null, failure(code, message), null, null);
  }

  /**
   * A failure with its message cut to {@value #MAX_MESSAGE_CHARS} characters: messages quote what
   * the requester sent (names, addresses), and a status travels in the trailers, which a requester
   * accepts only up to a few KiB; beyond, it would see INTERNAL instead of the status.
   */
  static Failure failure(Status.Code code, String message) {
    return Failure.newBuilder().setCode(code.value()).setMessage(bounded(message)).build();
  }

  static final int MAX_MESSAGE_CHARS = 1024;

  static String bounded(String message) {
    return message.length() <= MAX_MESSAGE_CHARS ? message
        : message.substring(0, MAX_MESSAGE_CHARS) + "... (" + message.length() + " characters)";
  }

  /**
   * The generated service's methods, with requests parsed into {@link Parsed} and each call's
   * {@link Caller} in its context: whatever server serves them, the node knows who asks.
   */
  @Override
  public ServerServiceDefinition bindService() {
    return ServerInterceptors.intercept(ServerServiceDefinition.builder(PeerGrpc.SERVICE_NAME)
        .addMethod(PeerGrpc.getGetMethod().toBuilder(
                Parsed.marshaller(GetRequest.getDefaultInstance()),
                ProtoUtils.marshaller(GetResponse.getDefaultInstance())).build(),
            ServerCalls.asyncUnaryCall(this::get))
        .addMethod(PeerGrpc.getExchangeMethod().toBuilder(
                Parsed.marshaller(RequestBatch.getDefaultInstance()),
                ProtoUtils.marshaller(ResponseBatch.getDefaultInstance())).build(),
            ServerCalls.asyncBidiStreamingCall(this::exchange))
        .addMethod(PeerGrpc.getCallMethod().toBuilder(
                Parsed.marshaller(CallRequest.getDefaultInstance()),
                ProtoUtils.marshaller(CallResponse.getDefaultInstance())).build(),
            ServerCalls.asyncUnaryCall(this::call))
        .build(), Caller.INTERCEPTOR);
  }

  /**
   * Takes room for one request in its caller's {@link InFlightBudget}; false, after answering
   * {@code RESOURCE_EXHAUSTED}, when the caller has as many in flight as it may.
   */
  boolean admit(Caller caller) {
    Node node = this.node;
    return node == null || node.inFlight().tryAcquire(caller.budgetKey());
  }

  /** Gives back what {@link #admit} took. */
  void release(Caller caller) {
    Node node = this.node;
    if (node != null) {
      node.inFlight().release(caller.budgetKey());
    }
  }

  /** The failure of a request beyond its caller's budget. */
  Failure overBudget(Caller caller) {
    Node node = this.node;
    return failure(Status.Code.RESOURCE_EXHAUSTED, caller + " has " + node.inFlight().perPeer()
        + " requests in flight at " + node.self() + ", the most one peer may");
  }

  private void call(Parsed<CallRequest> parsed, StreamObserver<CallResponse> responses) {
    if (parsed.message() == null) {
      responses.onError(Status.INVALID_ARGUMENT.withDescription(parsed.error()).asRuntimeException());
      return;
    }
    Caller caller = Caller.current();
    if (!admit(caller)) {
      responses.onError(status(overBudget(caller)).asRuntimeException());
      return;
    }
    answerCall(parsed.message(), caller).whenComplete((response, cause) -> {
      release(caller);
      if (cause == null) {
        responses.onNext(response);
        responses.onCompleted();
      } else {
        responses.onError(status(failure(cause)).asRuntimeException());
      }
    });
  }

  private void get(Parsed<GetRequest> parsed, StreamObserver<GetResponse> responses) {
    if (parsed.message() == null) {
      responses.onError(Status.INVALID_ARGUMENT.withDescription(parsed.error()).asRuntimeException());
      return;
    }
    Caller caller = Caller.current();
    if (!admit(caller)) {
      responses.onError(status(overBudget(caller)).asRuntimeException());
      return;
    }
    Answer answer = answer(parsed.message(), caller);
    if (answer.pending == null) {
      release(caller);
    }
    if (answer.response != null) {
      responses.onNext(answer.response);
      responses.onCompleted();
    } else if (answer.failure != null) {
      responses.onError(status(answer.failure).asRuntimeException());
    } else {
      answer.pending.whenComplete((value, cause) -> {
        release(caller);
        if (cause == null) {
          responses.onNext(response(value));
          responses.onCompleted();
        } else {
          responses.onError(status(failure(answer.group, cause)).asRuntimeException());
        }
      });
    }
  }

  private static Status status(Failure failure) {
    return Status.fromCodeValue(failure.getCode()).withDescription(failure.getMessage());
  }

  /**
   * The most {@code Exchange} streams one peer (one IP address) may have open here: each holds up
   * to a send-ahead batch of answers for a requester that does not read, and a member keeps one
   * per link.
   */
  static final int MAX_EXCHANGES_PER_PEER = 64;

  private final InFlightBudget exchanges = new InFlightBudget(MAX_EXCHANGES_PER_PEER);

  private StreamObserver<Parsed<RequestBatch>> exchange(StreamObserver<ResponseBatch> responses) {
    Node node = this.node;
    Caller caller = Caller.current();
    if (!exchanges.tryAcquire(caller.budgetKey())) {
      responses.onError(Status.RESOURCE_EXHAUSTED.withDescription(bounded(caller + " has " + MAX_EXCHANGES_PER_PEER
          + " exchange streams open, the most one peer may")).asRuntimeException());
      return new StreamObserver<>() { // the call has ended: whatever still arrives is dropped
        @Override
        public void onNext(Parsed<RequestBatch> value) {}

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
      };
    }
    ServerExchange exchange = new ServerExchange(this, caller, (ServerCallStreamObserver<ResponseBatch>) responses,
        finished -> {
          exchanges.release(caller.budgetKey());
          if (node != null) {
            node.untrack(finished);
          }
        });
    if (node != null) {
      node.track(exchange);
    }
    return exchange;
  }
}
