package dev.groupcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PeerAddressTest {
  @Test
  void parsesHostsAndIpv4() {
    PeerAddress a = PeerAddress.parse("10.0.0.7:7600");
    assertEquals("10.0.0.7", a.host());
    assertEquals(7600, a.port());
    assertEquals("10.0.0.7:7600", a.toString());
    assertEquals("node-1.cache.svc:80", PeerAddress.parse(" Node-1.Cache.SVC:80 ").toString());
  }

  @Test
  void bracketsIpv6InCanonicalForm() {
    assertEquals("[2001:db8::1]:8080", PeerAddress.parse("[2001:DB8:0:0:0:0:0:1]:8080").toString());
    assertEquals("[2001:db8::1]:8080", PeerAddress.parse("[2001:db8::0001]:8080").toString());
    assertEquals("[::1]:9", PeerAddress.parse("[::1]:9").toString());
    assertEquals("[2001:db8:0:1:1:1:1:1]:1", PeerAddress.parse("[2001:db8::1:1:1:1:1]:1").toString());
    assertEquals("[2001:0:0:1::1]:1", PeerAddress.parse("[2001:0:0:1:0:0:0:1]:1").toString());
    assertEquals("2001:db8::1", PeerAddress.parse("[2001:db8::1]:8080").host());
    assertEquals(PeerAddress.parse("[2001:db8::1]:8080"), PeerAddress.of("2001:db8::1", 8080));
    assertEquals(PeerAddress.parse("[2001:db8::1]:8080"), PeerAddress.of("[2001:db8::1]", 8080));
  }

  @Test
  void rejectsWhatItCannotReadUnambiguously() {
    assertRejected("2001:db8::1:8080", "must be bracketed");
    assertRejected("10.0.0.7", "expected host:port");
    assertRejected("10.0.0.7:http", "not a number");
    assertRejected("10.0.0.7:0", "1-65535");
    assertRejected("10.0.0.7:65536", "1-65535");
    assertRejected(":80", "host is empty");
    assertRejected("[10.0.0.7]:80", "only IPv6");
    assertRejected("[2001:db8::zz]:80", "not an IPv6 literal");
    assertRejected("[2001:db8::1]", "expected [ipv6]:port");
  }

  private static void assertRejected(String input, String why) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PeerAddress.parse(input));
    assertTrue(e.getMessage().contains(input) && e.getMessage().contains(why), e.getMessage());
  }
}
