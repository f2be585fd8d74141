package dev.groupcache;

import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import java.io.InputStream;

/**
 * A request as the server received it: the message, or why its bytes are not one.
 *
 * <p>gRPC reports a request that fails to parse as {@code UNKNOWN: Application error}. Parsing
 * into this holder instead lets the handler answer {@code INVALID_ARGUMENT} with the reason.
 */
final class Parsed<T> {
  private final T message;
  private final String error;

  private Parsed(T message, String error) {
    this.message = message;
    this.error = error;
  }

  /** The message, or null if the bytes were malformed. */
  T message() {
    return message;
  }

  /** Why the bytes were not a message. */
  String error() {
    return error;
  }

  /** A server-side marshaller: parses with gRPC's own protobuf marshaller, keeping failures. */
  static <T extends Message> MethodDescriptor.Marshaller<Parsed<T>> marshaller(T defaultInstance) {
    MethodDescriptor.Marshaller<T> proto = ProtoUtils.marshaller(defaultInstance);
    return new MethodDescriptor.Marshaller<>() {
      @Override
      public InputStream stream(Parsed<T> value) {
        return proto.stream(value.message); // a server never sends requests; kept for symmetry
      }

      @Override
      public Parsed<T> parse(InputStream stream) {
        try {
          return new Parsed<>(proto.parse(stream), null);
        } catch (StatusRuntimeException e) {
          return new Parsed<>(null, "malformed " + defaultInstance.getDescriptorForType().getName()
              + ": " + e.getStatus().getDescription());
        }
      }
    };
  }
}
