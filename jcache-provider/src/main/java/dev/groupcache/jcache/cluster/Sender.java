package dev.groupcache.jcache.cluster;

import dev.groupcache.ByteView;
import dev.groupcache.Node;
import dev.groupcache.PeerAddress;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * What a member may ask in its own name only: a change event of a key comes from the key's owner
 * on the receiver's ring, and a member names itself (not another) as a copy holder, as the holder
 * whose lease it renews, and as a member with listeners. Each check throws the request's
 * {@code PERMISSION_DENIED}; a null sender (the engine's member check off) passes them all.
 */
final class Sender {
  private Sender() {}

  /** The sender must own {@code key} on this node's ring to tell of its change. */
  static void owner(PeerAddress sender, Node node, ByteView key) {
    if (sender == null) {
      return;
    }
    PeerAddress owner = node.ownerOf(key);
    if (!owner.equals(sender)) {
      throw denied(sender + " sent an event of a key that " + owner + " owns on " + node.self() + "'s ring "
          + Long.toHexString(node.ringVersion()) + ": events are taken only from a key's owner");
    }
  }

  /** The sender must be the holder it names. */
  static void holder(PeerAddress sender, String holder) {
    member(sender, holder);
  }

  /** The sender must be the member it names. */
  static void member(PeerAddress sender, String named) {
    if (sender == null) {
      return;
    }
    PeerAddress member;
    try {
      member = PeerAddress.parse(named);
    } catch (IllegalArgumentException e) {
      throw Status.INVALID_ARGUMENT.withDescription("not a member's address: " + e.getMessage()).asRuntimeException();
    }
    if (!member.equals(sender)) {
      throw denied(sender + " speaks for " + member + ": a member speaks only for itself");
    }
  }

  /** A member that left the ring may only hand over what it held. */
  static StatusRuntimeException departed(PeerAddress sender) {
    return denied(sender + " left the ring: it may only hand over the entries it held");
  }

  private static StatusRuntimeException denied(String why) {
    return Status.PERMISSION_DENIED.withDescription(why).asRuntimeException();
  }
}
