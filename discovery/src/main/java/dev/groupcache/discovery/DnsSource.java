package dev.groupcache.discovery;

import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;

/**
 * The A and AAAA records of a headless Service, resolved again every interval. Needs no RBAC, but
 * knows nothing of termination: a pod leaves the set when DNS stops naming it.
 *
 * <p>With a DNS server configured it is asked directly (JNDI's DNS client), which bypasses the
 * JVM's address cache (30 s by default) so that changes are seen within one interval. Without one,
 * the system resolver is used, with its search domains and the JVM's cache. A name that does not
 * exist is an empty set (a headless Service with no ready pods has no records); a failed lookup
 * keeps the last set.
 */
final class DnsSource extends PublishingSource {
  private static final System.Logger LOG = System.getLogger(PeerSource.class.getName());

  private final DiscoveryConfig config;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "groupcache-discovery-dns");
    t.setDaemon(true);
    return t;
  });

  DnsSource(DiscoveryConfig config) {
    super("dns " + config.dnsName(), config.debounce());
    this.config = config;
  }

  @Override
  void begin() {
    timer.scheduleWithFixedDelay(this::resolve, 0, config.dnsInterval().toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  void end() {
    timer.shutdownNow();
  }

  private void resolve() {
    try {
      List<String> hosts = config.dnsServer() != null ? ask(config.dnsServer()) : system();
      List<String> peers = new ArrayList<>();
      boolean anyIpv4 = hosts.stream().anyMatch(h -> !Endpoints.isIpv6(h));
      for (String host : hosts) {
        boolean ipv6 = Endpoints.isIpv6(host);
        // Records carry no pod identity: ANY keeps IPv4 alone when there is any, as for the other sources.
        boolean keep = config.addressFamily() == AddressFamily.ANY ? ipv6 != anyIpv4
            : Endpoints.allowed(config.addressFamily(), ipv6);
        if (keep) {
          peers.add(Endpoints.format(host, config.port()));
        }
      }
      events.incrementAndGet();
      offer(PeerSet.of(peers));
      synced();
    } catch (NamingException | UnknownHostException | RuntimeException e) {
      markFailed("resolving " + config.dnsName() + ": " + e, false);
      LOG.log(Level.WARNING, "{0}: {1}; keeping the last set", this, e.toString());
    }
  }

  private List<String> system() throws UnknownHostException {
    List<String> hosts = new ArrayList<>();
    try {
      for (InetAddress a : InetAddress.getAllByName(config.dnsName())) {
        hosts.add(a.getHostAddress());
      }
    } catch (UnknownHostException e) {
      if (!isNotFound(e)) {
        throw e;
      }
    }
    return hosts;
  }

  private List<String> ask(String server) throws NamingException {
    Hashtable<String, String> env = new Hashtable<>();
    env.put("java.naming.factory.initial", "com.sun.jndi.dns.DnsContextFactory");
    env.put("java.naming.provider.url", "dns://" + server);
    env.put("com.sun.jndi.dns.timeout.initial", "1000");
    env.put("com.sun.jndi.dns.timeout.retries", "2");
    DirContext context = new InitialDirContext(env);
    List<String> hosts = new ArrayList<>();
    try {
      // One query per type: asking for both at once sends an ANY query, which servers may refuse (RFC 8482).
      for (String type : new String[] {"A", "AAAA"}) {
        Attribute attribute = context.getAttributes(config.dnsName(), new String[] {type}).get(type);
        if (attribute != null) {
          NamingEnumeration<?> values = attribute.getAll();
          while (values.hasMore()) {
            hosts.add(values.next().toString());
          }
        }
      }
    } catch (NameNotFoundException e) {
      // no such name: no peers
    } finally {
      context.close();
    }
    return hosts;
  }

  /** The JDK reports a missing name and a failed lookup with one exception type. */
  private static boolean isNotFound(UnknownHostException e) {
    String m = String.valueOf(e.getMessage());
    return m.contains("Name or service not known") || m.contains("No address associated") || m.contains("nodename nor servname");
  }
}
