package dev.groupcache.jcache.cluster;

import com.google.protobuf.ByteString;
import dev.groupcache.ByteView;
import dev.groupcache.jcache.proto.Event;
import dev.groupcache.jcache.proto.NodeRequest;
import dev.groupcache.jcache.proto.OwnerRequest;
import io.grpc.Status;

/**
 * The node's key and value limits ({@code groupcache.max-key-bytes}, {@code
 * groupcache.max-value-bytes}) applied to every request that carries a key or a value, from a
 * peer or from this node's own callers: nothing larger is stored, copied or told to listeners
 * whichever path it takes. A key beyond the limit is an {@link IllegalArgumentException} (a
 * peer's {@code INVALID_ARGUMENT}), as it is for the engine's gets; a value beyond it {@code
 * RESOURCE_EXHAUSTED}.
 */
final class RequestLimits {
  private final int maxKeyBytes;
  private final int maxValueBytes;

  RequestLimits(int maxKeyBytes, int maxValueBytes) {
    this.maxKeyBytes = maxKeyBytes;
    this.maxValueBytes = maxValueBytes;
  }

  void checkKey(ByteView key) {
    key(key.length());
  }

  /** An owner's operation: its key, and the value it would store. */
  void check(ByteView key, OwnerRequest request) {
    key(key.length());
    switch (request.getOpCase()) {
      case WRITE -> value(request.getWrite().getValue(), "a written value");
      case LOADED -> value(request.getLoaded().getValue(), "a loaded value");
      default -> { }
    }
  }

  /** A node operation: the keys and values it carries. */
  void check(NodeRequest request) {
    switch (request.getOpCase()) {
      case EVENT -> {
        Event e = request.getEvent();
        key(e.getKey().size());
        value(e.getOldValue(), "an event's old value");
        value(e.getValue(), "an event's value");
      }
      case DROP -> key(request.getDrop().getKey().size());
      case ENTRIES -> {
        if (request.getEntries().getAfter().size() > maxKeyBytes) {
          key(request.getEntries().getAfter().size());
        }
      }
      default -> { }
    }
  }

  private void key(int length) {
    if (length == 0 || length > maxKeyBytes) {
      // the engine's exception for such a key: the application sees the same, and a peer INVALID_ARGUMENT
      throw new IllegalArgumentException("key of " + length + " bytes: keys must have 1-" + maxKeyBytes + " bytes");
    }
  }

  private void value(ByteString value, String what) {
    if (value.size() > maxValueBytes) {
      throw Status.RESOURCE_EXHAUSTED.withDescription(what + " of " + value.size() + " bytes exceeds the limit of "
          + maxValueBytes + " bytes").asRuntimeException();
    }
  }
}
