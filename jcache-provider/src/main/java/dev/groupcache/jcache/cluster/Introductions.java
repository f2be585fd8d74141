package dev.groupcache.jcache.cluster;

import dev.groupcache.ByteView;
import dev.groupcache.PeerAddress;
import dev.groupcache.PeerUnavailableException;
import io.grpc.Status;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Calls that a member refused because it knows of no member with their cache open. An owner or
 * backup takes requests only for caches some member announced, so that any other name costs it
 * nothing; but a member that restarted, or was starting when the cache was opened, has missed the
 * announcements until their next repeat, and a cache that members open only when first used (as
 * the JSR-107 annotations do) may be open on none of the others. The caller then tells it that the
 * cache is open here, as an announcement does, and asks once more.
 */
final class Introductions {
  private final ChangeDelivery delivery;
  private final Function<String, dev.groupcache.jcache.proto.Listening> listeningNow;
  private final LongAdder made = new LongAdder();

  Introductions(ChangeDelivery delivery, Function<String, dev.groupcache.jcache.proto.Listening> listeningNow) {
    this.delivery = delivery;
    this.listeningNow = listeningNow;
  }

  /** {@code call}'s answer; asked once more, after an introduction, if it refused {@code cache} as unknown. */
  CompletableFuture<ByteView> call(String cache, Supplier<CompletableFuture<ByteView>> call) {
    return call.get().exceptionallyCompose(failure -> {
      PeerAddress peer = refusedAsUnknown(failure);
      if (peer == null) {
        return CompletableFuture.failedFuture(failure);
      }
      made.increment();
      return delivery.announce(cache, listeningNow.apply(cache), List.of(peer)).thenCompose(missed -> call.get());
    });
  }

  /**
   * If {@code failure} is a member's refusal of {@code cache} as unknown, tells it, and returns
   * whether it was told: the caller then asks once more. Waits for the member's answer.
   */
  boolean introduce(String cache, Throwable failure) {
    PeerAddress peer = refusedAsUnknown(failure);
    if (peer == null) {
      return false;
    }
    made.increment();
    return delivery.announce(cache, listeningNow.apply(cache), List.of(peer)).join().isEmpty();
  }

  /** The member that refused a call as about a cache no member it heard of has open; or null. */
  static PeerAddress refusedAsUnknown(Throwable failure) {
    Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (t instanceof PeerUnavailableException refused && refused.peer() != null
        && Status.fromThrowable(refused).getCode() == Status.Code.NOT_FOUND) {
      return refused.peer();
    }
    return null;
  }

  /** Introductions made: calls asked again after a member refused their cache as unknown. */
  long made() {
    return made.sum();
  }
}
