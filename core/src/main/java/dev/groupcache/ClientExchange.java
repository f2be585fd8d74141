package dev.groupcache;

import dev.groupcache.proto.PeerGrpc;
import dev.groupcache.proto.Request;
import dev.groupcache.proto.RequestBatch;
import dev.groupcache.proto.Response;
import dev.groupcache.proto.ResponseBatch;
import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The requesting side of one {@code Exchange} stream to a peer.
 *
 * <p>Requests queue up while a batch is unacknowledged and leave together in the next batch.
 * Nothing waits to fill a batch: an idle stream sends a request at once, and batches grow only when
 * callers outpace the round trip, which is when batching pays. The peer acknowledges a batch as soon
 * as it has read it, with every answer that was ready (loads are answered later, on their own), so
 * one batch in flight costs no more than a round trip; allowing two made batches smaller and W2 7%
 * slower, each batch costing both sides a frame, a write and a wake-up. There is no sender thread
 * either: whichever caller (or acknowledgement) finds the stream free sends what is queued.
 *
 * <p>Each request has its own deadline. Rather than a timer per request, one sweep every
 * {@value #SWEEP_MILLIS} ms fails the overdue ones, and runs only while requests are waiting.
 * When the stream ends, every request still waiting fails with the stream's status, and the
 * {@link PeerClient} opens a new stream for the next request. Every batch that arrives tells the
 * link that the peer is alive; a stream that fails tells it why ({@link PeerClient#streamEnded}),
 * and the link may end a stream whose peer it suspects ({@link #abort}).
 */
final class ClientExchange implements ClientResponseObserver<RequestBatch, ResponseBatch> {
  static final int MAX_BATCHES_IN_FLIGHT = 1;
  static final int MAX_BATCH_REQUESTS = 256;
  static final int MAX_BATCH_BYTES = 256 << 10;
  static final long SWEEP_MILLIS = 10;

  /** Receives the outcome of one request, on a transport thread; must not block. */
  interface Answer {
    /** The peer's response: a result or a {@link dev.groupcache.proto.Failure}. */
    void onResponse(Response response);

    /** No response: the stream ended or the deadline passed. */
    void onFailure(Throwable failure);
  }

  /** A request waiting for its answer. */
  private record Pending(Answer answer, long sentNanos, long deadlineNanos) {}

  private final PeerClient peer;
  private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Request> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger batchesInFlight = new AtomicInteger();
  private final AtomicLong ids = new AtomicLong();
  private final AtomicBoolean sweeping = new AtomicBoolean();
  private final ReentrantLock sending = new ReentrantLock();
  private ClientCallStreamObserver<RequestBatch> requests;
  private final AtomicReference<Status> ended = new AtomicReference<>(); // set once

  private ClientExchange(PeerClient peer) {
    this.peer = peer;
  }

  /**
   * Opens a stream to the peer. It is started in the root context, whoever opens it: a stream
   * opened while serving a peer's request would otherwise inherit that call's context, and die
   * with it when that peer goes, failing every request on the stream to this healthy one.
   */
  static ClientExchange open(PeerClient peer, ManagedChannel channel) {
    ClientExchange exchange = new ClientExchange(peer);
    Context previous = Context.ROOT.attach();
    try {
      ClientCalls.asyncBidiStreamingCall(
          channel.newCall(PeerGrpc.getExchangeMethod(), CallOptions.DEFAULT), exchange);
    } finally {
      Context.ROOT.detach(previous);
    }
    return exchange;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<RequestBatch> requests) {
    this.requests = requests;
  }

  boolean isOpen() {
    return ended.get() == null;
  }

  /**
   * Queues a request, whose operation {@code request} already holds; it leaves in the next batch.
   * Requests queued from one thread leave, and are handled by the peer, in the order queued.
   */
  void send(Request.Builder request, long timeoutMillis, Answer answer) {
    long id = ids.incrementAndGet();
    Request built = request.setId(id).setTimeoutMillis((int) Math.min(Integer.MAX_VALUE, timeoutMillis)).build();
    int size = built.getSerializedSize(); // memoized: sending it later costs nothing more
    if (size > peer.limits().maxRequestBytes()) {
      // The peer would reject the whole batch and end the stream: refuse this request alone.
      answer.onResponse(Response.newBuilder().setId(id).setFailure(PeerService.failure(Status.Code.RESOURCE_EXHAUSTED,
          "a request of " + size + " bytes exceeds the limit of " + peer.limits().maxRequestBytes())).build());
      return;
    }
    long now = System.nanoTime();
    peer.sending(now);
    pending.put(id, new Pending(answer, now, now + TimeUnit.MILLISECONDS.toNanos(timeoutMillis)));
    Status status = ended.get();
    if (status != null) {
      Pending p = pending.remove(id); // ended before our request was seen
      if (p != null) {
        peer.callFailed();
        p.answer().onFailure(status.asException());
      }
      return;
    }
    sweepSoon();
    queue.add(built);
    send();
  }

  /** Sends what is queued while the window allows; the re-check after unlocking loses no request. */
  private void send() {
    while (!queue.isEmpty() && batchesInFlight.get() < MAX_BATCHES_IN_FLIGHT && sending.tryLock()) {
      try {
        if (batchesInFlight.get() >= MAX_BATCHES_IN_FLIGHT || ended.get() != null) {
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
        end(Status.INTERNAL.withDescription("sending to " + peer.address() + " failed").withCause(e), false);
        requests.onError(e);
        return;
      } finally {
        sending.unlock();
      }
    }
  }

  @Override
  public void onNext(ResponseBatch batch) {
    peer.heard(); // whatever it says: even a failure shows a process reading its connection
    for (Response response : batch.getResponsesList()) {
      Pending p = pending.remove(response.getId());
      if (p == null) {
        continue; // past its deadline already
      }
      long now = System.nanoTime();
      peer.roundTrip(now - p.sentNanos());
      if (response.hasFailure()) {
        peer.callFailed();
      }
      if (PeerFetchEvent.enabled()) {
        PeerFetchEvent.record(peer.address(), now - p.sentNanos(), response.hasFailure());
      }
      p.answer().onResponse(response);
    }
    if (batch.getAcknowledgedBatches() > 0) {
      batchesInFlight.addAndGet(-batch.getAcknowledgedBatches());
      send();
    }
  }

  @Override
  public void onError(Throwable t) {
    end(Status.fromThrowable(t), false);
  }

  /** The peer ended the stream in order: a node does so only when it closes, i.e. leaves. */
  @Override
  public void onCompleted() {
    end(Status.UNAVAILABLE.withDescription(peer.address() + " ended the stream: it is leaving"), true);
  }

  /** Tells the peer no more requests follow; it ends the stream once it has answered the rest. */
  void halfClose() {
    sending.lock();
    try {
      if (ended.compareAndSet(null, Status.UNAVAILABLE.withDescription("the stream to " + peer.address()
          + " is closing"))) {
        requests.onCompleted();
      }
    } finally {
      sending.unlock();
    }
  }

  /**
   * Ends the stream from this side with {@code status}, failing every request waiting on it now:
   * for a peer this node suspects. Does nothing if the stream has ended already.
   */
  void abort(Status status) {
    if (!ended.compareAndSet(null, status)) {
      return;
    }
    queue.clear();
    failPending(status); // first, so that callers hear why rather than the cancellation's echo
    sending.lock(); // the stream's observer is not thread-safe: a send may be under way
    try {
      requests.cancel(status.getDescription(), null);
    } finally {
      sending.unlock();
    }
  }

  /**
   * The stream ended; the first end not of this node's choice is reported to the link, before the
   * waiting requests fail, so that their callers find the link in its new state.
   */
  private void end(Status status, boolean leaving) {
    boolean first = ended.compareAndSet(null, status);
    queue.clear();
    if (first) {
      peer.streamEnded(status, leaving);
    }
    failPending(status);
  }

  private void failPending(Status status) {
    for (Long id : pending.keySet()) {
      Pending p = pending.remove(id);
      if (p != null) {
        peer.callFailed();
        p.answer().onFailure(status.asException());
      }
    }
  }

  private void sweepSoon() {
    if (!sweeping.get() && sweeping.compareAndSet(false, true)) {
      Timers.SCHEDULER.schedule(this::sweep, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  /** Fails the overdue requests; goes on sweeping while any request waits. */
  private void sweep() {
    long now = System.nanoTime();
    // A caller's deadline says nothing of the peer's health (a load may take longer): the link's
    // failure detector, which hears acknowledgements and pings, judges that.
    for (Iterator<Map.Entry<Long, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Long, Pending> e = it.next();
      if (now - e.getValue().deadlineNanos() >= 0 && pending.remove(e.getKey(), e.getValue())) {
        peer.callFailed();
        e.getValue().answer().onFailure(new TimeoutException(peer.address() + " did not answer in time"));
      }
    }
    sweeping.set(false);
    if (!pending.isEmpty()) {
      sweepSoon(); // a request added after the check above is covered here
    }
  }
}
