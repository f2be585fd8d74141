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
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;

/**
 * The node's side of the peer protocol: answers {@code Get} and {@code Exchange} from its own
 * groups. Every answer comes from this node's caches or its own loader; nothing is forwarded.
 *
 * <p>Handlers never block: a hit is answered on the transport's thread, a miss when its load
 * completes. The server can therefore run them directly on its event loop.
 */
final class PeerService implements BindableService {
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

  Answer answer(GetRequest request) {
    Node node = this.node;
    if (node == null) {
      return failed(Status.Code.UNAVAILABLE, "the node is starting");
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
  CompletableFuture<CallResponse> answerCall(CallRequest request) {
    Node node = this.node;
    if (node == null) {
      return failedCall(Status.Code.UNAVAILABLE, "the node is starting");
    }
    PeerHandler handler = node.service(request.getService());
    if (handler == null) {
      return failedCall(Status.Code.NOT_FOUND, "no service '" + request.getService() + "' on " + node.self());
    }
    ByteView key = request.getKey().isEmpty() ? null : ByteView.copyOf(request.getKey());
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
      answer = handler.handle(key, ByteView.copyOf(request.getPayload()));
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    return answer.thenApply(value -> CallResponse.newBuilder()
        .setPayload(UnsafeByteOperations.unsafeWrap(value.array()))
        .setRingVersion(node.ringVersion())
        .build());
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

  static Failure failure(Status.Code code, String message) {
    return Failure.newBuilder().setCode(code.value()).setMessage(message).build();
  }

  /** The generated service's methods, with requests parsed into {@link Parsed}. */
  @Override
  public ServerServiceDefinition bindService() {
    return ServerServiceDefinition.builder(PeerGrpc.SERVICE_NAME)
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
        .build();
  }

  private void call(Parsed<CallRequest> parsed, StreamObserver<CallResponse> responses) {
    if (parsed.message() == null) {
      responses.onError(Status.INVALID_ARGUMENT.withDescription(parsed.error()).asRuntimeException());
      return;
    }
    answerCall(parsed.message()).whenComplete((response, cause) -> {
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
    Answer answer = answer(parsed.message());
    if (answer.response != null) {
      responses.onNext(answer.response);
      responses.onCompleted();
    } else if (answer.failure != null) {
      responses.onError(status(answer.failure).asRuntimeException());
    } else {
      answer.pending.whenComplete((value, cause) -> {
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

  private StreamObserver<Parsed<RequestBatch>> exchange(StreamObserver<ResponseBatch> responses) {
    Node node = this.node;
    ServerExchange exchange = new ServerExchange(this,
        (ServerCallStreamObserver<ResponseBatch>) responses, node == null ? null : node::untrack);
    if (node != null) {
      node.track(exchange);
    }
    return exchange;
  }
}
