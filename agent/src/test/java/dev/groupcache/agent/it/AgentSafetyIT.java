package dev.groupcache.agent.it;

import static dev.groupcache.agent.it.AgentJvm.ANSWER;
import static dev.groupcache.agent.it.AgentJvm.START;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.tools.attach.VirtualMachine;
import dev.groupcache.testing.ChildJvm;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The agent inside other people's applications: it must not break them. */
class AgentSafetyIT {
  private static final String AGENT = "-javaagent:" + AgentJvm.AGENT_JAR.toAbsolutePath();

  private static String single(int port) {
    return "discovery=static,static.peers=127.0.0.1:" + port + ",port=" + port + ",self=127.0.0.1:" + port
        + ",bind-host=127.0.0.1";
  }

  @Test
  void applicationWithConflictingLibrariesKeepsItsOwnAndTheCacheWorks() {
    List<Path> conflicting = AgentJvm.jarsIn(Path.of(System.getProperty("conflicting.dir", "target/conflicting")));
    assertEquals(10, conflicting.size(), "old grpc, netty, guava, protobuf, okhttp, okio, gson, kotlin: " + conflicting);
    String peers = "127.0.0.1:17551,127.0.0.1:17552";
    String args = "discovery=static,static.peers=" + peers + ",bind-host=127.0.0.1,port=";
    try (ChildJvm old = AgentJvm.start("conflicting", List.of(AGENT + "=" + args + "17551,self=127.0.0.1:17551"),
            conflicting, Map.of());
        ChildJvm plain = AgentJvm.start("plain", args + "17552,self=127.0.0.1:17552")) {
      assertEquals("ready", old.await("ready", START), old.log());
      assertEquals("ready", plain.await("ready", START), plain.log());

      String libs = old.call("libs", ANSWER);
      for (String expected : List.of("ImmutableList=guava-20.0.jar", "Gson=gson-2.8.0.jar",
          "OkHttpClient=okhttp-3.14.9.jar", "Version=netty-common-4.1.30.Final.jar", "Status=grpc-api-1.30.0.jar",
          "ByteString=protobuf-java-3.5.1.jar", "KotlinVersion=kotlin-stdlib-1.3.72.jar", "gson.toJson=[1,2]")) {
        assertTrue(libs.contains(expected), "the application keeps its own " + expected + ": " + libs);
      }
      // the agent's gRPC and Netty, hidden from the application, carry the cluster's traffic
      assertTrue(AgentJvm.awaitNode(old, "ready=true local-only=false peers=2").startsWith("ready=true"));
      assertEquals("ok", old.call("put a 1", ANSWER));
      assertEquals("1", plain.call("get a", ANSWER));
      assertEquals("ok", plain.call("put b 2", ANSWER));
      assertEquals("2", old.call("get b", ANSWER));
    }
  }

  @Test
  void secondAttachDoesNothing() throws Exception {
    try (ChildJvm jvm = AgentJvm.start("double", List.of(AGENT + "=" + single(17561), AGENT + "=" + single(17562)),
        List.of(), Map.of())) {
      assertEquals("ready", jvm.await("ready", START), jvm.log());
      assertEquals("ready=true local-only=false peers=1 nodes=1", AgentJvm.awaitNode(jvm, "ready=true"));
      assertEquals("ok", jvm.call("put k v", ANSWER));

      // and once more, into the running JVM, as a tool attaching to it would
      VirtualMachine vm = VirtualMachine.attach(String.valueOf(jvm.pid()));
      try {
        vm.loadAgent(AgentJvm.AGENT_JAR.toAbsolutePath().toString(), single(17563));
      } finally {
        vm.detach();
      }
      assertEquals("ready=true local-only=false peers=1 nodes=1", jvm.call("node", ANSWER));
      assertEquals("v", jvm.call("get k", ANSWER));
      String log = AgentJvm.stderr("double");
      assertEquals(2, count(log, "already running in this JVM"), log);
      assertFalse(log.contains("127.0.0.1:17562 started") || log.contains("127.0.0.1:17563 started"), log);
    }
  }

  @Test
  void nodeThatCannotStartLeavesTheApplicationRunningOnALocalCache() throws Exception {
    try (ServerSocket taken = new ServerSocket(17571, 1, InetAddress.getByName("127.0.0.1"));
        ChildJvm jvm = AgentJvm.start("fail-open", single(17571) + ",agent.weave=example.")) {
      assertEquals("ready", jvm.await("ready", START), jvm.log());
      assertTrue(taken.isBound());
      assertEquals("ready=false local-only=true peers=1 nodes=1", jvm.call("node", ANSWER));
      assertEquals("ok", jvm.call("put k v", ANSWER));
      assertEquals("v", jvm.call("get k", ANSWER));
      String quote = jvm.call("quote q", ANSWER);
      assertEquals(quote, jvm.call("quote q", ANSWER), "annotations still cache, locally");
      assertEquals("1", jvm.call("computed", ANSWER));
      String log = AgentJvm.stderr("fail-open");
      assertEquals(1, count(log, "GROUPCACHE NODE DID NOT START"), log);
      assertTrue(log.contains("17571"), log);
    }
  }

  @Test
  void nodeThatCannotStartStopsTheApplicationWithFailFast() throws Exception {
    try (ServerSocket taken = new ServerSocket(17581, 1, InetAddress.getByName("127.0.0.1"));
        ChildJvm jvm = AgentJvm.start("fail-fast", single(17581) + ",agent.fail-fast=true")) {
      OptionalInt exit = jvm.awaitExit(Duration.ofSeconds(60));
      assertTrue(taken.isBound());
      assertTrue(exit.isPresent(), "the JVM stops by itself");
      assertNotEquals(0, exit.getAsInt());
      assertFalse(jvm.log().contains("ready"), "main never ran: " + jvm.log());
      String log = AgentJvm.stderr("fail-fast");
      assertTrue(log.contains("groupcache agent (fail-fast)"), log);
    }
  }

  @Test
  void wrongSettingFailsEveryCacheCallNamingTheKey() {
    try (ChildJvm jvm = AgentJvm.start("bad-setting", "discovery=static,port=80a")) {
      OptionalInt exit = jvm.awaitExit(Duration.ofSeconds(60));
      assertTrue(exit.isPresent(), "the example application stops: its first cache call throws");
      assertNotEquals(0, exit.getAsInt());
      String log = AgentJvm.stderr("bad-setting");
      assertTrue(log.contains("javax.cache.CacheException: the groupcache agent could not start: groupcache.port"), log);
      assertTrue(log.contains("80a"), log);
    }
  }

  private static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}
