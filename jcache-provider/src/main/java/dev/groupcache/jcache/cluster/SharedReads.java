package dev.groupcache.jcache.cluster;

import dev.groupcache.ByteView;
import dev.groupcache.jcache.proto.OwnerResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import javax.cache.CacheException;

/**
 * Gets of one key on this node that share reads: a get made while a read of its key is on its way
 * to the owner waits for that read to return, then takes the answer of one read sent for all the
 * gets that waited. A herd of gets of one key sends a read or two from each node rather than one
 * per get, and the owner answers a few messages rather than hundreds.
 *
 * <p>A get may not take the answer of a read sent before it began: the owner may have answered it
 * before the get began, older than a write acknowledged meanwhile. A read sent after every get that
 * shares it began is as fresh as each get's own would have been.
 *
 * <p>An answer that grants a load lease is its sender's alone: the gets that shared the read are
 * told to ask again ({@link OwnerResponse#getRetry()}), and then wait at the owner for that load.
 */
final class SharedReads {
  private static final OwnerResponse RETRY = OwnerResponse.newBuilder().setRetry(true).build();

  /** One read of a key, and the gets that will take the answer of the read sent after it. */
  private static final class Round {
    final Object shape; // only gets that would send the same read share one
    final CompletableFuture<OwnerResponse> answer = new CompletableFuture<>();
    Round next; // guarded by this
    int sharers; // guarded by the round before it: the gets that will take this one's answer
    boolean over; // guarded by this: answered or failed; the map holds its next round, if any

    Round(Object shape) {
      this.shape = shape;
    }
  }

  private final ConcurrentHashMap<ByteView, Round> inFlight = new ConcurrentHashMap<>();
  private final long maxWaitMillis;

  /** @param maxWaitMillis how long a read may take, waits for answers included; a shared one waits twice that */
  SharedReads(long maxWaitMillis) {
    this.maxWaitMillis = maxWaitMillis;
  }

  /**
   * The answer to a read of {@code key} of the given shape (compared by identity): {@code read}'s,
   * or that of a read another get sent after this one began.
   */
  OwnerResponse read(ByteView key, Object shape, Supplier<OwnerResponse> read) {
    while (true) {
      Round current = inFlight.get(key);
      if (current == null) {
        Round mine = new Round(shape);
        if (inFlight.putIfAbsent(key, mine) == null) {
          return send(key, mine, read);
        }
        continue;
      }
      if (current.shape != shape) {
        return read.get(); // another kind of read is out: not worth a wait
      }
      Round next;
      boolean sender;
      synchronized (current) {
        if (current.over) {
          continue; // the map already holds what follows it
        }
        sender = current.next == null;
        if (sender) {
          current.next = new Round(shape);
        }
        next = current.next;
        next.sharers++;
      }
      if (sender) {
        // Whatever happens to the read before it, this one goes and ends: its sharers wait on it.
        boolean interrupted = awaitQuietly(current.answer);
        end(key, current); // if the wait was cut short: no get may join a read once it is sent
        try {
          return send(key, next, read);
        } finally {
          if (interrupted) {
            Thread.currentThread().interrupt();
          }
        }
      }
      OwnerResponse shared = await(next.answer);
      return shared.getLease() != 0 ? RETRY : shared;
    }
  }

  /** Sends the round's read, then lets the round after it go and hands the answer to its sharers. */
  private OwnerResponse send(ByteView key, Round round, Supplier<OwnerResponse> read) {
    OwnerResponse answer;
    try {
      answer = read.get();
    } catch (Throwable t) {
      end(key, round);
      round.answer.completeExceptionally(t);
      throw t;
    }
    end(key, round);
    round.answer.complete(answer);
    return answer;
  }

  /**
   * Ends a round, before its answer is handed out or once the round after it is sent: gets from
   * now on share the round after that one. Ending it again changes nothing.
   */
  private void end(ByteView key, Round round) {
    synchronized (round) {
      round.over = true;
      if (round.next == null) {
        inFlight.remove(key, round);
      } else {
        inFlight.replace(key, round, round.next);
      }
    }
  }

  /** Waits for the answer, whatever it is; whether the wait was interrupted (the flag is then clear). */
  private boolean awaitQuietly(CompletableFuture<OwnerResponse> answer) {
    try {
      answer.get(maxWaitMillis, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // the next read goes whatever happened to this one
    } catch (InterruptedException e) {
      return true;
    }
    return false;
  }

  /** The shared answer, or its sender's failure as this caller's. */
  private OwnerResponse await(CompletableFuture<OwnerResponse> answer) {
    try {
      return answer.get(2 * maxWaitMillis, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof OwnerUnavailableException u) {
        throw new OwnerUnavailableException(u.getMessage(), u); // this caller's trace, same meaning
      }
      throw e.getCause() instanceof RuntimeException r ? r : new CacheException(e.getCause());
    } catch (TimeoutException e) {
      throw new OwnerUnavailableException("no answer to a shared read within " + 2 * maxWaitMillis + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheException("interrupted", e);
    }
  }

  /** Keys with a read in flight, for tests. */
  int inFlight() {
    return inFlight.size();
  }

  /** How many gets, their sender included, will take the answer of the read after the one in flight; for tests. */
  int sharing(ByteView key) {
    Round current = inFlight.get(key);
    if (current == null) {
      return 0;
    }
    synchronized (current) {
      return current.next == null ? 0 : current.next.sharers;
    }
  }
}
