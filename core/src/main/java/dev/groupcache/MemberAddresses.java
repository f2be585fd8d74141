package dev.groupcache;

import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The IP addresses of the members' hosts, by member: where a request a member sends may come
 * from ({@link Caller}). Made when the ring changes; a host name is resolved then, once, so that
 * no request waits for DNS (a name that moves to another address is followed at the next change).
 */
final class MemberAddresses {
  private static final System.Logger LOG = System.getLogger(MemberAddresses.class.getName());

  private final Map<PeerAddress, Set<InetAddress>> byMember;

  private MemberAddresses(Map<PeerAddress, Set<InetAddress>> byMember) {
    this.byMember = byMember;
  }

  /** The addresses of {@code members} and of {@code self}, which may call itself. */
  static MemberAddresses of(Collection<PeerAddress> members, PeerAddress self) {
    Map<PeerAddress, Set<InetAddress>> byMember = new HashMap<>();
    for (PeerAddress member : members) {
      byMember.put(member, resolve(member));
    }
    byMember.computeIfAbsent(self, MemberAddresses::resolve);
    return new MemberAddresses(Map.copyOf(byMember));
  }

  private static Set<InetAddress> resolve(PeerAddress member) {
    try {
      // a literal is parsed, not looked up; a name may list an address twice
      return Set.copyOf(Arrays.asList(InetAddress.getAllByName(member.host())));
    } catch (UnknownHostException e) {
      LOG.log(Level.WARNING, "member {0}: its host does not resolve, so its requests are refused until the"
          + " membership changes: {1}", member, e.getMessage());
      return Set.of();
    }
  }

  /** Whether {@code member} is one and {@code remote} is an address of its host. */
  boolean matches(PeerAddress member, InetAddress remote) {
    Set<InetAddress> addresses = byMember.get(member);
    return addresses != null && addresses.contains(remote);
  }

  /** Whether {@code member} is one, wherever its request came from. */
  boolean contains(PeerAddress member) {
    return byMember.containsKey(member);
  }
}
