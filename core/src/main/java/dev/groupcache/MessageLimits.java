package dev.groupcache;

/**
 * How large the peer protocol's messages may be, from a node's key and value limits. Every size
 * is checked where a message is built, so that one request or answer too large for the other
 * side fails alone with {@code RESOURCE_EXHAUSTED}: sent as is, it would break the stream and
 * every request waiting on it. Members are expected to share their limits; a member with a
 * smaller value limit still refuses larger values itself.
 */
record MessageLimits(int maxKeyBytes, int maxValueBytes) {
  /** Room for a message's own fields: ids, service and cache names, versions, tags and lengths. */
  static final int FIELDS_BYTES = 16 << 10;

  /**
   * The largest request: one key and two values with their fields, as a service's change event
   * carries the value before and after.
   */
  int maxRequestBytes() {
    return maxKeyBytes + 2 * maxValueBytes + FIELDS_BYTES;
  }

  /** The largest answer, which leaves in a batch of its own when it is large. */
  int maxResponseBytes() {
    return maxValueBytes + (1 << 20) - FIELDS_BYTES;
  }

  /** What a server accepts in one message: a batch of requests, the last of which may be the largest. */
  int serverInboundBytes() {
    return ClientExchange.MAX_BATCH_BYTES + maxRequestBytes();
  }

  /** What a requester accepts in one message: the largest answer with its batch's fields. */
  int clientInboundBytes() {
    return maxResponseBytes() + FIELDS_BYTES;
  }
}
