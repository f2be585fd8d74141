package dev.groupcache;

import dev.groupcache.proto.GetRequest;
import dev.groupcache.proto.GetResponse;
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
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * <p>Each request has its own deadline. Rather than a timer per request, one sweep every
 * {@value #SWEEP_MILLIS} ms fails the overdue ones, and runs only while requests are waiting.
 * When the stream ends, every request still waiting fails with the stream's status, and the
 * {@link PeerClient} opens a new stream for the next request.
 */
final class ClientExchange implements ClientResponseObserver<RequestBatch, ResponseBatch> {
  static final int MAX_BATCHES_IN_FLIGHT = 2;
  static final int MAX_BATCH_REQUESTS = 64;
  static final int MAX_BATCH_BYTES = 256 << 10;
  static final long SWEEP_MILLIS = 10;

  private static final ScheduledExecutorService SWEEPER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "groupcache-deadlines");
    t.setDaemon(true);
    return t;
  });

  /** A request waiting for its answer. */
  private record Pending(PeerClient.Callback callback, long deadlineNanos) {}

  private final PeerClient peer;
  private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Request> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger batchesInFlight = new AtomicInteger();
  private final AtomicLong ids = new AtomicLong();
  private final AtomicBoolean sweeping = new AtomicBoolean();
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

  void get(GetRequest get, long timeoutMillis, PeerClient.Callback callback) {
    long id = ids.incrementAndGet();
    pending.put(id, new Pending(callback, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis)));
    Status status = ended;
    if (status != null) {
      Pending p = pending.remove(id); // ended before our request was seen
      if (p != null) {
        p.callback().onFailure(status.asException());
        peer.failed();
      }
      return;
    }
    sweepSoon();
    queue.add(Request.newBuilder()
        .setId(id)
        .setTimeoutMillis((int) Math.min(Integer.MAX_VALUE, timeoutMillis))
        .setGet(get)
        .build());
    send();
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
      Pending p = pending.remove(response.getId());
      if (p == null) {
        continue; // past its deadline already
      }
      switch (response.getResultCase()) {
        case GET -> {
          GetResponse get = response.getGet();
          if (get.getValue().size() > peer.maxValueBytes()) {
            p.callback().onFailure(new PeerClient.RemoteFailure(peer.address(), Status.Code.RESOURCE_EXHAUSTED,
                "value of " + get.getValue().size() + " bytes exceeds this node's limit of " + peer.maxValueBytes()));
          } else {
            p.callback().onReply(ByteView.wrap(get.getValue().toByteArray()), get.getRingVersion());
          }
          peer.succeeded();
        }
        case FAILURE -> {
          Status.Code code = Status.fromCodeValue(response.getFailure().getCode()).getCode();
          String message = response.getFailure().getMessage();
          if (PeerClient.RemoteFailure.isVerdict(code)) {
            p.callback().onFailure(new PeerClient.RemoteFailure(peer.address(), code, message));
            peer.succeeded();
          } else {
            p.callback().onFailure(Status.fromCode(code).withDescription(peer.address() + ": " + message).asException());
            peer.failed();
          }
        }
        default -> {
          p.callback().onFailure(Status.INTERNAL
              .withDescription(peer.address() + " sent a response this node does not understand").asException());
          peer.failed();
        }
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
    boolean any = false;
    for (Long id : pending.keySet()) {
      Pending p = pending.remove(id);
      if (p != null) {
        p.callback().onFailure(status.asException());
        any = true;
      }
    }
    if (any) {
      peer.failed();
    }
  }

  private void sweepSoon() {
    if (!sweeping.get() && sweeping.compareAndSet(false, true)) {
      SWEEPER.schedule(this::sweep, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  /** Fails the overdue requests; goes on sweeping while any request waits. */
  private void sweep() {
    long now = System.nanoTime();
    boolean overdue = false;
    for (Iterator<Map.Entry<Long, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Long, Pending> e = it.next();
      if (now - e.getValue().deadlineNanos() >= 0 && pending.remove(e.getKey(), e.getValue())) {
        e.getValue().callback().onFailure(new TimeoutException(peer.address() + " did not answer in time"));
        overdue = true;
      }
    }
    if (overdue) {
      peer.failed();
    }
    sweeping.set(false);
    if (!pending.isEmpty()) {
      sweepSoon(); // a request added after the check above is covered here
    }
  }
}
