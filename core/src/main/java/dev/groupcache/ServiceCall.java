package dev.groupcache;

import com.google.protobuf.UnsafeByteOperations;
import dev.groupcache.proto.CallRequest;
import dev.groupcache.proto.CallResponse;
import dev.groupcache.proto.Response;
import io.grpc.Status;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * A call to a service on another member, for {@link Node#call} and {@link Node#callOwner}: the
 * request, and how each response becomes the caller's outcome. Gets do not come this way; they
 * have their own operation ({@link Group}).
 */
final class ServiceCall {
  private ServiceCall() {}

  /** A call request stamped with the sender's ring version; {@code key} is null unless it is for the key's owner. */
  static CallRequest request(long ringVersion, String service, ByteView key, boolean toOwner, ByteView payload) {
    CallRequest.Builder b = CallRequest.newBuilder()
        .setService(service)
        .setToOwner(toOwner)
        .setPayload(UnsafeByteOperations.unsafeWrap(payload.array()))
        .setRingVersion(ringVersion);
    if (key != null) {
      b.setKey(UnsafeByteOperations.unsafeWrap(key.array()));
    }
    return b.build();
  }

  static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  /**
   * Completes {@code result} with the payload of a call's response and returns null, or returns the
   * peer's failure for the caller to act on.
   */
  private static Exception complete(Response response, PeerClient peer, CompletableFuture<ByteView> result) {
    CallResponse call = PeerClient.callResponse(response);
    if (call != null) {
      result.complete(ByteView.copyOf(call.getPayload()));
      return null;
    }
    return peer.failure(response);
  }

  /** The peer's verdict on the request, or, for any other failure, the peer unavailable. */
  private static GroupcacheException refused(PeerClient peer, Exception failure) {
    String message = peer.address() + ": " + failure.getMessage();
    return failure instanceof PeerClient.RemoteFailure ? new GroupcacheException(message, failure)
        : new PeerUnavailableException(peer.address(), message, failure);
  }

  /** A call to one named member: its response, or its failure, is the outcome. */
  static final class ToMember implements ClientExchange.Answer {
    private final PeerClient peer;
    private final CompletableFuture<ByteView> result;

    ToMember(PeerClient peer, CompletableFuture<ByteView> result) {
      this.peer = peer;
      this.result = result;
    }

    @Override
    public void onResponse(Response response) {
      Exception failure = complete(response, peer, result);
      if (failure != null) {
        result.completeExceptionally(refused(peer, failure));
      }
    }

    @Override
    public void onFailure(Throwable failure) {
      result.completeExceptionally(
          new PeerUnavailableException(peer.address(), peer.address() + " did not answer: " + failure, failure));
    }
  }

  /** A call to a key's owner, retried while owners refuse it as not theirs. */
  static final class ToOwner implements ClientExchange.Answer {
    private final Node node;
    private final String service;
    private final ByteView key;
    private final ByteView request;
    private final long deadlineNanos;
    private final boolean idempotent;
    private final CompletableFuture<ByteView> result;
    private long retryMillis = 5;
    private PeerClient current;
    private String lastRefusal;

    ToOwner(Node node, String service, ByteView key, ByteView request, long deadlineNanos, boolean idempotent,
        CompletableFuture<ByteView> result) {
      this.node = node;
      this.service = service;
      this.key = key;
      this.request = request;
      this.deadlineNanos = deadlineNanos;
      this.idempotent = idempotent;
      this.result = result;
    }

    void attempt() {
      long remaining = deadlineNanos - System.nanoTime();
      if (remaining <= 0) {
        // sent only to owners that refused it (not theirs on their rings), or not at all
        result.completeExceptionally(new PeerUnavailableException(current == null ? null : current.address(),
            "no owner of the key answered in time" + (lastRefusal == null ? "" : "; last refusal: " + lastRefusal),
            null, false));
        return;
      }
      PeerAddress owner = node.ownerOf(key);
      if (owner.equals(node.self())) {
        node.callLocal(service, key, request).whenComplete((v, e) -> {
          if (e == null) {
            result.complete(v);
          } else {
            result.completeExceptionally(unwrap(e));
          }
        });
        return;
      }
      PeerClient peer = node.peerClient(owner);
      if (peer == null) {
        lastRefusal = owner + " left the ring";
        retryLater(); // membership is changing: the new ring names another owner
        return;
      }
      String suspicion = peer.suspicion();
      if (suspicion != null) {
        // Known unresponsive: fail now rather than make every caller wait out the deadline.
        result.completeExceptionally(new PeerUnavailableException(owner, "the owner " + owner
            + " is unavailable (suspected: " + suspicion + ")", null, false));
        return;
      }
      current = peer;
      peer.call(request(node.ringVersion(), service, key, true, request),
          Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)), this);
    }

    private void retryLater() {
      long delay = Math.min(retryMillis, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
      retryMillis = Math.min(200, retryMillis * 2);
      Timers.SCHEDULER.schedule(this::attempt, delay, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onResponse(Response response) {
      Exception failure = complete(response, current, result);
      if (failure == null) {
        return;
      }
      if (failure instanceof PeerClient.RemoteFailure
          && ((PeerClient.RemoteFailure) failure).code() == Status.Code.FAILED_PRECONDITION) {
        lastRefusal = failure.getMessage(); // not the owner on its ring: wait for the rings to agree
        retryLater();
        return;
      }
      result.completeExceptionally(refused(current, failure));
    }

    @Override
    public void onFailure(Throwable failure) {
      if (idempotent && !node.ownerOf(key).equals(current.address())) {
        lastRefusal = current.address() + " left the ring while asked: " + failure;
        attempt(); // the key has a new owner: ask it
        return;
      }
      result.completeExceptionally(new PeerUnavailableException(current.address(),
          "the owner " + current.address() + " did not answer: " + failure, failure));
    }
  }
}
