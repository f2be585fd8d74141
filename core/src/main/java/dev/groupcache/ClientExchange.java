package dev.groupcache;

import dev.groupcache.proto.GetRequest;
import dev.groupcache.proto.PeerGrpc;
import dev.groupcache.proto.Request;
import dev.groupcache.proto.RequestBatch;
import dev.groupcache.proto.Response;
import dev.groupcache.proto.ResponseBatch;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The requesting side of one {@code Exchange} stream to a peer.
 *
 * <p>Requests queue up while {@value #MAX_BATCHES_IN_FLIGHT} batches are unacknowledged and leave
 * together in the next batch. Nothing waits to fill a batch: an idle stream sends a request at
 * once, and batches grow only when callers outpace the round trip, which is when batching pays.
 * There is no sender thread either: whichever caller (or acknowledgement) finds the stream free
 * sends what is queued.
 *
 * <p>Each request has its own deadline, enforced here. When the stream ends, every request still
 * waiting fails with the stream's status, and the {@link PeerClient} opens a new stream for the
 * next request.
 */
final class ClientExchange implements ClientResponseObserver<RequestBatch, ResponseBatch> {
  static final int MAX_BATCHES_IN_FLIGHT = 2;
  static final int MAX_BATCH_REQUESTS = 64;
  static final int MAX_BATCH_BYTES = 256 << 10;

  private final PeerClient peer;
  private final Map<Long, CompletableFuture<PeerClient.Reply>> pending = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Request> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger batchesInFlight = new AtomicInteger();
  private final AtomicLong ids = new AtomicLong();
  private final ReentrantLock sending = new ReentrantLock();
  private ClientCallStreamObserver<RequestBatch> requests;
  private volatile Status ended;

  private ClientExchange(PeerClient peer) {
    this.peer = peer;
  }

  static ClientExchange open(PeerClient peer, ManagedChannel channel) {
    ClientExchange exchange = new ClientExchange(peer);
    ClientCalls.asyncBidiStreamingCall(
        channel.newCall(PeerGrpc.getExchangeMethod(), CallOptions.DEFAULT), exchange);
    return exchange;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<RequestBatch> requests) {
    this.requests = requests;
  }

  boolean isOpen() {
    return ended == null;
  }

  CompletableFuture<PeerClient.Reply> get(GetRequest get, long timeoutMillis) {
    long id = ids.incrementAndGet();
    CompletableFuture<PeerClient.Reply> reply = new CompletableFuture<>();
    pending.put(id, reply);
    reply.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).whenComplete((r, e) -> pending.remove(id));
    Status status = ended;
    if (status != null) {
      reply.completeExceptionally(status.asException()); // ended before our request was seen
      return reply;
    }
    queue.add(Request.newBuilder()
        .setId(id)
        .setTimeoutMillis((int) Math.min(Integer.MAX_VALUE, timeoutMillis))
        .setGet(get)
        .build());
    send();
    return reply;
  }

  /** Sends what is queued while the window allows; the re-check after unlocking loses no request. */
  private void send() {
    while (!queue.isEmpty() && batchesInFlight.get() < MAX_BATCHES_IN_FLIGHT && sending.tryLock()) {
      try {
        if (batchesInFlight.get() >= MAX_BATCHES_IN_FLIGHT || ended != null) {
          return;
        }
        RequestBatch.Builder batch = RequestBatch.newBuilder();
        int bytes = 0;
        Request r;
        while (batch.getRequestsCount() < MAX_BATCH_REQUESTS
            && bytes < MAX_BATCH_BYTES
            && (r = queue.poll()) != null) {
          batch.addRequests(r);
          bytes += r.getSerializedSize();
        }
        if (batch.getRequestsCount() > 0) {
          batchesInFlight.incrementAndGet();
          requests.onNext(batch.build());
        }
      } catch (RuntimeException e) {
        end(Status.INTERNAL.withDescription("sending to " + peer.address() + " failed").withCause(e));
        requests.onError(e);
        return;
      } finally {
        sending.unlock();
      }
    }
  }

  @Override
  public void onNext(ResponseBatch batch) {
    for (Response response : batch.getResponsesList()) {
      CompletableFuture<PeerClient.Reply> reply = pending.remove(response.getId());
      if (reply == null) {
        continue; // its caller's deadline passed
      }
      switch (response.getResultCase()) {
        case GET -> {
          var get = response.getGet();
          if (get.getValue().size() > peer.maxValueBytes()) {
            reply.completeExceptionally(new PeerClient.RemoteFailure(peer.address(),
                Status.Code.RESOURCE_EXHAUSTED, "value of " + get.getValue().size()
                    + " bytes exceeds this node's limit of " + peer.maxValueBytes()));
          } else {
            reply.complete(new PeerClient.Reply(
                ByteView.wrap(get.getValue().toByteArray()), get.getRingVersion()));
          }
        }
        case FAILURE -> {
          Status.Code code = Status.fromCodeValue(response.getFailure().getCode()).getCode();
          String message = response.getFailure().getMessage();
          reply.completeExceptionally(PeerClient.RemoteFailure.isVerdict(code)
              ? new PeerClient.RemoteFailure(peer.address(), code, message)
              : Status.fromCode(code).withDescription(peer.address() + ": " + message).asException());
        }
        default -> reply.completeExceptionally(Status.INTERNAL
            .withDescription(peer.address() + " sent a response this node does not understand")
            .asException());
      }
    }
    if (batch.getAcknowledgedBatches() > 0) {
      batchesInFlight.addAndGet(-batch.getAcknowledgedBatches());
      send();
    }
  }

  @Override
  public void onError(Throwable t) {
    end(Status.fromThrowable(t));
  }

  @Override
  public void onCompleted() {
    end(Status.UNAVAILABLE.withDescription(peer.address() + " ended the stream"));
  }

  /** Tells the peer no more requests follow; it ends the stream once it has answered the rest. */
  void halfClose() {
    sending.lock();
    try {
      if (ended == null) {
        ended = Status.UNAVAILABLE.withDescription("the stream to " + peer.address() + " is closing");
        requests.onCompleted();
      }
    } finally {
      sending.unlock();
    }
  }

  private void end(Status status) {
    if (ended == null) {
      ended = status;
    }
    queue.clear();
    for (Long id : pending.keySet()) {
      CompletableFuture<PeerClient.Reply> reply = pending.remove(id);
      if (reply != null) {
        reply.completeExceptionally(status.asException());
      }
    }
  }
}
