package dev.groupcache.agent.it;

import static dev.groupcache.agent.it.AgentJvm.ANSWER;
import static dev.groupcache.agent.it.AgentJvm.START;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.groupcache.discovery.fake.EndpointSliceBuilder;
import dev.groupcache.discovery.fake.FakeApiServer;
import dev.groupcache.discovery.fake.ResourceKind;
import dev.groupcache.testing.ChildJvm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three JVMs of the example application, each started with only {@code -javaagent}: the caches are
 * one cluster, whether the peers are listed or found in EndpointSlices through the API server.
 */
class AgentClusterIT {
  private static final int KEYS = 20;

  @Test
  void staticPeersShareCachesAndLoadEachKeyOnce() throws Exception {
    String peers = "127.0.0.1:17531,127.0.0.1:17532,127.0.0.1:17533";
    List<ChildJvm> jvms = new ArrayList<>();
    try {
      for (int i = 1; i <= 3; i++) {
        int port = 17530 + i;
        jvms.add(AgentJvm.start("static-" + i, "discovery=static,static.peers=" + peers + ",port=" + port
            + ",self=127.0.0.1:" + port + ",bind-host=127.0.0.1,agent.weave=example."));
      }
      exercise(jvms);
    } finally {
      jvms.forEach(ChildJvm::close);
    }
  }

  @Test
  void endpointSlicesShareCachesAndLoadEachKeyOnce(@TempDir Path dir) throws Exception {
    List<ChildJvm> jvms = new ArrayList<>();
    try (FakeApiServer api = FakeApiServer.startHttp()) {
      EndpointSliceBuilder slice = EndpointSliceBuilder.endpointSlice("shop", "quotes-abc").serviceName("quotes")
          .addPort("groupcache", 17540, "TCP");
      for (int i = 1; i <= 3; i++) {
        slice.addEndpoint(EndpointSliceBuilder.endpoint("127.0.0.1" + i).ready(true).targetPod("quotes-" + i));
      }
      JsonObject object = slice.build();
      api.upsert(ResourceKind.ENDPOINT_SLICE, object);
      Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"), "shop", "app-token");
      for (int i = 1; i <= 3; i++) {
        String host = "127.0.0.1" + i;
        jvms.add(AgentJvm.start("slices-" + i,
            List.of("-javaagent:" + AgentJvm.AGENT_JAR.toAbsolutePath() + "=kubernetes.service=quotes,port=17540,self="
                + host + ":17540,bind-host=" + host + ",agent.weave=example."),
            List.of(), Map.of("KUBECONFIG", kubeconfig.toString())));
      }
      exercise(jvms);
    } finally {
      jvms.forEach(ChildJvm::close);
    }
  }

  /** What every cluster of the example application must do, however its peers are found. */
  private static void exercise(List<ChildJvm> jvms) {
    for (ChildJvm jvm : jvms) {
      assertEquals("ready", jvm.await("ready", START), jvm.log());
    }
    for (ChildJvm jvm : jvms) {
      String node = AgentJvm.awaitNode(jvm, "ready=true local-only=false peers=3");
      assertTrue(node.startsWith("ready=true local-only=false peers=3 nodes=1"), node + "\n" + jvm.log());
      assertEquals("dev.groupcache.agent.AgentCachingProvider", jvm.call("provider", ANSWER));
    }

    // read-through: the three ask for each key at once; one of them loads it, for all
    for (int k = 0; k < KEYS; k++) {
      for (ChildJvm jvm : jvms) {
        jvm.send("price p" + k);
      }
      Set<String> values = new HashSet<>();
      for (ChildJvm jvm : jvms) {
        values.add(jvm.await("price p" + k, ANSWER));
      }
      assertEquals(1, values.size(), "one value for p" + k + " everywhere: " + values);
      assertTrue(values.iterator().next().startsWith("p" + k + "="), values.toString());
    }
    int loads = 0;
    for (ChildJvm jvm : jvms) {
      loads += Integer.parseInt(jvm.call("loads", ANSWER));
    }
    assertEquals(KEYS, loads, "one load per key across the three JVMs");

    // @CacheResult, woven by the agent: computed on the first JVM, served to the others
    List<String> first = new ArrayList<>();
    for (int k = 0; k < KEYS; k++) {
      first.add(jvms.get(0).call("quote q" + k, ANSWER));
    }
    for (ChildJvm jvm : jvms.subList(1, 3)) {
      for (int k = 0; k < KEYS; k++) {
        assertEquals(first.get(k), jvm.call("quote q" + k, ANSWER));
      }
      assertEquals("0", jvm.call("computed", ANSWER), "the other JVMs never ran the method");
    }
    assertEquals(String.valueOf(KEYS), jvms.get(0).call("computed", ANSWER));

    // a plain cache: a write on one is read on the others
    assertEquals("ok", jvms.get(1).call("put colour blue", ANSWER));
    assertEquals("blue", jvms.get(2).call("get colour", ANSWER));
    assertEquals("blue", jvms.get(0).call("get colour", ANSWER));
  }
}
