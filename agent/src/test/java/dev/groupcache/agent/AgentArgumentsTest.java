package dev.groupcache.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentArgumentsTest {
  @Test
  void piecesWithoutAnEqualsSignContinueTheValueBefore() {
    Map<String, String> s = AgentArguments.parse("static.peers=a:7600, b:7600,port=7600,groupcache.self=a:7600");
    assertEquals(Map.of("groupcache.static.peers", "a:7600,b:7600", "groupcache.port", "7600",
        "groupcache.self", "a:7600"), s);
    assertEquals(Map.of(), AgentArguments.parse(null));
    assertEquals(Map.of(), AgentArguments.parse(" "));
  }

  @Test
  void theTlsKeysPassAsAnyOther() {
    Map<String, String> s = AgentArguments.parse("tls.cert=/etc/groupcache/tls/tls.crt,tls.key=/etc/groupcache/tls/tls.key,"
        + "tls.ca=/etc/groupcache/tls/ca.crt,tls.peer-identity=spiffe://cluster\\.local/ns/shop/sa/[a-z]{1,20},"
        + "tls.refresh=30s");
    assertEquals(Map.of("groupcache.tls.cert", "/etc/groupcache/tls/tls.crt",
        "groupcache.tls.key", "/etc/groupcache/tls/tls.key",
        "groupcache.tls.ca", "/etc/groupcache/tls/ca.crt",
        "groupcache.tls.peer-identity", "spiffe://cluster\\.local/ns/shop/sa/[a-z]{1,20}",
        "groupcache.tls.refresh", "30s"), s);
  }

  @Test
  void malformedArgumentsAreNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AgentArguments.parse("oops"));
    assertTrue(e.getMessage().contains("'oops'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> AgentArguments.parse("=1"));
  }

  @Test
  void aFlagIsTrueOrFalseAndAnythingElseIsAnErrorNamingTheKey() {
    String key = "groupcache.agent.fail-fast";
    assertTrue(AgentArguments.flag(AgentArguments.parse("agent.fail-fast=TRUE"), key));
    assertFalse(AgentArguments.flag(AgentArguments.parse("agent.fail-fast=false"), key));
    assertFalse(AgentArguments.flag(Map.of(), key), "absent: false");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AgentArguments.flag(AgentArguments.parse("agent.fail-fast=yes"), key));
    assertEquals("groupcache.agent.fail-fast = \"yes\" is not a boolean: expected true or false", e.getMessage());
  }

  @Test
  void aListKeepsItsNonBlankItems() {
    String key = "groupcache.agent.weave";
    assertEquals(List.of("com.a.", "com.b."), AgentArguments.list(AgentArguments.parse("agent.weave=com.a., ,com.b."), key));
    assertEquals(List.of(), AgentArguments.list(Map.of(), key));
  }
}
