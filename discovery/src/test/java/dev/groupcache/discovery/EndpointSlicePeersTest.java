package dev.groupcache.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.discovery.EndpointSliceSource.Endpoint;
import dev.groupcache.discovery.EndpointSliceSource.Slice;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The endpoint semantics, on the pure function every node runs. */
class EndpointSlicePeersTest {
  private final List<String> warnings = new ArrayList<>();

  private PeerSet peers(DiscoveryConfig config, Slice... slices) {
    return EndpointSliceSource.peers(List.of(slices), config, warnings::add);
  }

  private static DiscoveryConfig.Builder config() {
    return DiscoveryConfig.builder().service("cache");
  }

  private static Slice ipv4(String name, Map<String, Integer> ports, Endpoint... endpoints) {
    return new Slice(name, "IPv4", List.of(endpoints), ports);
  }

  @Test
  void readyNullCountsAsReadyAndReadyFalseDoesNot() {
    PeerSet set = peers(config().port(7600).build(), ipv4("s1", Map.of(),
        new Endpoint("10.0.0.1", "a", null, null),
        new Endpoint("10.0.0.2", "b", true, null),
        new Endpoint("10.0.0.3", "c", false, null),
        new Endpoint("10.0.0.4", "d", null, false)));
    assertEquals(List.of("10.0.0.1:7600", "10.0.0.2:7600", "10.0.0.4:7600"), set.peers());
    assertEquals(List.of(), set.draining());
  }

  @Test
  void terminatingEndpointsDrainWhateverTheirReadiness() {
    PeerSet set = peers(config().port(7600).build(), ipv4("s1", Map.of(),
        new Endpoint("10.0.0.1", "a", true, null),
        new Endpoint("10.0.0.2", "b", false, true),
        new Endpoint("10.0.0.3", "c", null, true)));
    assertEquals(List.of("10.0.0.1:7600"), set.peers());
    assertEquals(List.of("10.0.0.2:7600", "10.0.0.3:7600"), set.draining());
  }

  @Test
  void theUnionOfAllSlicesSortedAndWithoutDuplicates() {
    PeerSet set = peers(config().port(7600).build(),
        ipv4("s2", Map.of(), new Endpoint("10.0.0.9", "z", true, null), new Endpoint("10.0.0.1", "a", true, null)),
        ipv4("s1", Map.of(), new Endpoint("10.0.0.1", "a", true, null), new Endpoint("10.0.0.5", "e", true, null)));
    assertEquals(List.of("10.0.0.1:7600", "10.0.0.5:7600", "10.0.0.9:7600"), set.peers());
  }

  @Test
  void portByNameFromEachSliceOrTheOnlyPort() {
    PeerSet named = peers(config().portName("groupcache").build(),
        ipv4("s1", Map.of("http", 8080, "groupcache", 7600), new Endpoint("10.0.0.1", "a", true, null)),
        ipv4("s2", Map.of("http", 8080, "groupcache", 7601), new Endpoint("10.0.0.2", "b", true, null)),
        ipv4("s3", Map.of("http", 8080), new Endpoint("10.0.0.3", "c", true, null)));
    assertEquals(List.of("10.0.0.1:7600", "10.0.0.2:7601"), named.peers());
    assertTrue(warnings.get(0).contains("slice s3") && warnings.get(0).contains("named 'groupcache'"), warnings.toString());
    PeerSet only = peers(config().build(), ipv4("s1", Map.of("", 7600), new Endpoint("10.0.0.1", "a", true, null)));
    assertEquals(List.of("10.0.0.1:7600"), only.peers());
    PeerSet ambiguous = peers(config().build(), ipv4("s1", Map.of("a", 1, "b", 2), new Endpoint("10.0.0.1", "a", true, null)));
    assertEquals(List.of(), ambiguous.peers());
  }

  @Test
  void aDualStackPodIsOnePeerInTheConfiguredFamilyWithIpv6Bracketed() {
    Slice v4 = ipv4("s-v4", Map.of(), new Endpoint("10.0.0.1", "pod-a", true, null), new Endpoint("10.0.0.2", "pod-b", true, null));
    Slice v6 = new Slice("s-v6", "IPv6", List.of(new Endpoint("FD00::1", "pod-a", true, null),
        new Endpoint("fd00::2", "pod-b", true, null), new Endpoint("fd00::3", "pod-c", true, null)), Map.of());
    assertEquals(List.of("10.0.0.1:7600", "10.0.0.2:7600", "[fd00::3]:7600"),
        peers(config().port(7600).build(), v4, v6).peers(), "any: IPv4 where a pod has it");
    assertEquals(List.of("[fd00::1]:7600", "[fd00::2]:7600", "[fd00::3]:7600"),
        peers(config().port(7600).addressFamily(AddressFamily.IPV6).build(), v4, v6).peers());
    assertEquals(List.of("10.0.0.1:7600", "10.0.0.2:7600"),
        peers(config().port(7600).addressFamily(AddressFamily.IPV4).build(), v4, v6).peers());
  }

  @Test
  void anEmptySetSaysWhyWhenTheConfigurationIsAtFault() {
    assertTrue(peers(config().port(7600).build()).problem().startsWith("not found: no EndpointSlice"),
        "no slice of the Service at all");
    PeerSet wrongName = peers(config().portName("grpc").build(),
        ipv4("s1", Map.of("http", 8080), new Endpoint("10.0.0.1", "a", true, null)));
    assertEquals("has no port named 'grpc'; its EndpointSlices name [http]", wrongName.problem());
    PeerSet unnamed = peers(config().build(),
        ipv4("s1", Map.of("http", 8080, "grpc", 9090), new Endpoint("10.0.0.1", "a", true, null)));
    assertTrue(unnamed.problem().startsWith("has several ports [grpc, http]"), unnamed.problem());
    PeerSet notReady = peers(config().portName("grpc").build(),
        ipv4("s1", Map.of("grpc", 9090), new Endpoint("10.0.0.1", "a", false, null)));
    assertEquals(null, notReady.problem(), "pods not ready yet: a state to wait out");
    PeerSet ready = peers(config().portName("grpc").build(),
        ipv4("s1", Map.of("grpc", 9090), new Endpoint("10.0.0.1", "a", true, null)));
    assertEquals(null, ready.problem());
  }
}
