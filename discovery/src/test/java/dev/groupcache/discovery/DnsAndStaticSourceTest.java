package dev.groupcache.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DnsAndStaticSourceTest {
  @Test
  void dnsFollowsTheRecordsOfAResolverWeControl() throws Exception {
    try (FakeDnsServer dns = new FakeDnsServer()) {
      dns.set("cache.shop.svc.cluster.local", List.of(InetAddress.getByName("10.1.0.2"), InetAddress.getByName("10.1.0.1"),
          InetAddress.getByName("fd00::1")));
      DiscoveryConfig config = DiscoveryConfig.builder().mode(DiscoveryMode.DNS)
          .dnsName("cache.shop.svc.cluster.local").dnsServer(dns.address()).port(7600)
          .dnsInterval(Duration.ofMillis(100)).debounce(Duration.ZERO).build();
      try (PeerSource source = Discovery.create(config)) {
        LinkedBlockingQueue<PeerSet> heard = new LinkedBlockingQueue<>();
        assertTrue(source.start(Duration.ofSeconds(10)));
        source.addListener(heard::add);
        assertEquals(List.of("10.1.0.1:7600", "10.1.0.2:7600"), heard.poll(10, TimeUnit.SECONDS).peers(),
            "any family: IPv4 when there is IPv4");
        assertTrue(source.isReady());
        dns.set("cache.shop.svc.cluster.local", List.of(InetAddress.getByName("10.1.0.1"), InetAddress.getByName("10.1.0.3")));
        assertEquals(List.of("10.1.0.1:7600", "10.1.0.3:7600"), heard.poll(10, TimeUnit.SECONDS).peers());
        dns.remove("cache.shop.svc.cluster.local"); // no ready pods: the headless Service has no records
        assertEquals(List.of(), heard.poll(10, TimeUnit.SECONDS).peers());
        int before = dns.queries();
        Thread.sleep(500);
        assertTrue(dns.queries() > before, "resolved again on the interval");
        assertEquals(null, heard.poll(200, TimeUnit.MILLISECONDS), "no change, no call");
      }
    }
  }

  @Test
  void dnsWithIpv6OnlyBracketsAddresses() throws Exception {
    try (FakeDnsServer dns = new FakeDnsServer()) {
      dns.set("cache", List.of(InetAddress.getByName("fd00::2"), InetAddress.getByName("fd00::1")));
      DiscoveryConfig config = DiscoveryConfig.builder().mode(DiscoveryMode.DNS).dnsName("cache")
          .dnsServer(dns.address()).port(7600).build();
      try (PeerSource source = Discovery.create(config)) {
        assertTrue(source.start(Duration.ofSeconds(10)));
        assertEquals(List.of("[fd00::1]:7600", "[fd00::2]:7600"), source.current().peers());
      }
    }
  }

  @Test
  void anUnreachableDnsServerLeavesTheSourceNotReady() {
    DiscoveryConfig config = DiscoveryConfig.builder().mode(DiscoveryMode.DNS).dnsName("cache")
        .dnsServer("127.0.0.1:9").port(7600).dnsInterval(Duration.ofMillis(200)).build();
    try (PeerSource source = Discovery.create(config)) {
      assertFalse(source.start(Duration.ofSeconds(3)));
      assertFalse(source.isReady());
      assertTrue(source.stats().lastError().contains("resolving cache"), source.stats().lastError());
    }
  }

  @Test
  void staticPeersAreSortedAndReadyAtOnce() {
    DiscoveryConfig config = DiscoveryConfig.builder().mode(DiscoveryMode.STATIC)
        .staticPeers(List.of("10.0.0.2:7600", "10.0.0.1:7600", "10.0.0.2:7600")).build();
    try (PeerSource source = Discovery.create(config)) {
      assertTrue(source.start(Duration.ofSeconds(1)));
      assertTrue(source.isReady());
      assertEquals(List.of("10.0.0.1:7600", "10.0.0.2:7600"), source.current().peers());
    }
  }

  @Test
  void configurationNamesWhatAModeLacks() {
    assertTrue(assertThrows(IllegalStateException.class, () -> DiscoveryConfig.builder().build())
        .getMessage().contains("endpointslices needs service"));
    assertTrue(assertThrows(IllegalStateException.class, () -> DiscoveryConfig.builder().mode(DiscoveryMode.DNS)
        .dnsName("x").build()).getMessage().contains("needs a port"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> DiscoveryMode.parse("consul"))
        .getMessage().contains("'consul' is not one of endpointslices, pods, dns, static"));
  }

  @Test
  void selfIsConfiguredOrThePodIpNeverAGuess() {
    assertEquals("10.0.0.7:7600", Discovery.self("10.0.0.7:7600", 7600));
    if (System.getenv("POD_IP") == null) {
      assertTrue(assertThrows(IllegalStateException.class, () -> Discovery.self(null, 7600))
          .getMessage().contains("POD_IP"));
    }
  }
}
