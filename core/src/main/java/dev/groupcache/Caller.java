package dev.groupcache;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Who sent a peer request, as far as its receiver can tell without relying on TLS: the member
 * address the requester declares in the {@value #HEADER} header, which every node's links send,
 * and the IP address its connection comes from.
 *
 * <p>Neither alone is an identity: the header is whatever the requester writes, and several
 * members may share an IP address (one host, or pods on the host's network). Together they are
 * one: {@link Node#memberOf} takes a request as a member's only when the declared address is on
 * the receiver's ring and its host is the connection's IP address, which a requester elsewhere
 * cannot forge over TCP.
 */
final class Caller {
  /** The header carrying the requester's own address, {@code host:port} as its ring spells it. */
  static final String HEADER = "groupcache-member";

  static final Metadata.Key<String> MEMBER = Metadata.Key.of(HEADER, Metadata.ASCII_STRING_MARSHALLER);

  private static final Context.Key<Caller> CURRENT = Context.key("groupcache-caller");

  /** A caller nothing is known of: no header, or a transport that tells no IP address. */
  static final Caller UNKNOWN = new Caller(null, null, null);

  private final PeerAddress declared; // null: no header, or one that is no address
  private final String spelled; // the header as sent, for messages; null without one
  private final InetAddress remote; // null: the transport does not say (in-process)

  private Caller(PeerAddress declared, String spelled, InetAddress remote) {
    this.declared = declared;
    this.spelled = spelled;
    this.remote = remote;
  }

  /** The address the requester declares as its own, or null. */
  PeerAddress declared() {
    return declared;
  }

  /** The IP address the connection comes from, or null. */
  InetAddress remote() {
    return remote;
  }

  /** What {@link InFlightBudget} counts this caller's requests under: its IP address. */
  Object budgetKey() {
    return remote != null ? remote : UNKNOWN;
  }

  /** The caller of the request being handled on this thread; {@link #UNKNOWN} outside a call. */
  static Caller current() {
    Caller caller = CURRENT.get();
    return caller == null ? UNKNOWN : caller;
  }

  /** Puts each call's caller in its context, where {@link #current()} finds it. */
  static final ServerInterceptor INTERCEPTOR = new ServerInterceptor() {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
        ServerCallHandler<Q, R> next) {
      Caller caller = of(headers.get(MEMBER), call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
      return Contexts.interceptCall(Context.current().withValue(CURRENT, caller), call, headers, next);
    }
  };

  static Caller of(String header, SocketAddress remoteAddress) {
    PeerAddress declared = null;
    if (header != null) {
      try {
        declared = PeerAddress.parse(header);
      } catch (IllegalArgumentException e) {
        declared = null; // not an address: no member's
      }
    }
    InetAddress remote = remoteAddress instanceof InetSocketAddress
        ? ((InetSocketAddress) remoteAddress).getAddress() : null;
    return new Caller(declared, header, remote);
  }

  /** How a refusal names the caller. */
  @Override
  public String toString() {
    String from = remote == null ? "an unknown address" : remote.getHostAddress();
    return spelled == null ? "a caller at " + from + " that names no member"
        : "a caller at " + from + " naming itself " + spelled;
  }
}
