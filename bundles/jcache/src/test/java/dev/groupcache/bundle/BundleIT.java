package dev.groupcache.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.jcache.security.TestPki;
import dev.groupcache.testing.ChildJvm;
import dev.groupcache.testing.FreePorts;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The self-contained jar as an application gets it: its published POM names the two APIs and
 * nothing else, every library inside is relocated, and two JVMs with only that jar and the two APIs
 * on their class path form a cluster over mutual TLS (Netty's native libraries loading under their
 * relocated names) and share a cache.
 */
class BundleIT {
  private static final Path JAR = Path.of(System.getProperty("bundle.jar"));
  private static final Path POM = Path.of(System.getProperty("bundle.pom"));
  private static final Path LOGS = JAR.resolveSibling("bundle-logs");
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final long MAX_BYTES = 15_000_000;

  @Test
  void publishedPomNamesOnlyTheTwoApis() throws Exception {
    var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(POM.toFile());
    NodeList deps = doc.getElementsByTagName("dependency");
    TreeSet<String> transitive = new TreeSet<>();
    for (int i = 0; i < deps.getLength(); i++) {
      Element d = (Element) deps.item(i);
      String scope = text(d, "scope", "compile");
      boolean optional = Boolean.parseBoolean(text(d, "optional", "false"));
      if (!optional && (scope.equals("compile") || scope.equals("runtime"))) {
        transitive.add(text(d, "groupId", "") + ":" + text(d, "artifactId", ""));
      }
    }
    assertEquals(new TreeSet<>(List.of("javax.cache:cache-api", "org.eclipse.microprofile.config:microprofile-config-api")),
        transitive);
  }

  @Test
  void everyLibraryInsideIsRelocatedAndTheKubernetesClientIsLeftOut() throws IOException {
    assertTrue(Files.size(JAR) <= MAX_BYTES, "the jar is " + Files.size(JAR) + " bytes, over " + MAX_BYTES);
    try (JarFile jar = new JarFile(JAR.toFile())) {
      List<String> names = jar.stream().map(JarEntry::getName).toList();
      assertEquals(List.of(), names.stream()
          .filter(n -> n.endsWith(".class") && !n.startsWith("dev/groupcache/")).toList(), "classes outside dev.groupcache");
      assertEquals(List.of(), names.stream()
          .filter(n -> n.startsWith("dev/groupcache/shaded/io/kubernetes/") || n.startsWith("dev/groupcache/shaded/okhttp3/")
              || n.startsWith("dev/groupcache/shaded/kotlin/") || n.startsWith("dev/groupcache/shaded/org/bouncycastle/"))
          .limit(5).toList(), "client-java belongs in groupcache-kubernetes");
      List<String> services = names.stream()
          .filter(n -> n.startsWith("META-INF/services/") && !n.endsWith("/")).toList();
      assertEquals(List.of(), services.stream()
          .filter(n -> !n.startsWith("META-INF/services/dev.groupcache.") && !n.startsWith("META-INF/services/javax.cache."))
          .toList(), "services under unrelocated names");
      assertTrue(services.contains("META-INF/services/dev.groupcache.shaded.io.grpc.ManagedChannelProvider"), services::toString);
      String provider = new String(jar.getInputStream(jar.getEntry("META-INF/services/javax.cache.spi.CachingProvider"))
          .readAllBytes(), StandardCharsets.UTF_8);
      assertEquals("dev.groupcache.jcache.GroupcacheCachingProvider", provider.strip());
      List<String> natives = names.stream()
          .filter(n -> n.startsWith("META-INF/native/") && !n.endsWith("/")).toList();
      assertTrue(natives.contains("META-INF/native/libdev_groupcache_shaded_io_grpc_netty_shaded_netty_tcnative_linux_x86_64.so"),
          natives::toString);
      assertEquals(List.of(), natives.stream()
          .filter(n -> !n.startsWith("META-INF/native/libdev_groupcache_shaded_io_grpc_netty_shaded_netty_")).toList());
    }
  }

  @Test
  void twoMembersWithOnlyTheJarAndTheApisShareACacheOverMutualTls(@TempDir Path dir) {
    TestPki.Issued member = TestPki.create("ca").issue("orders", List.of(TestPki.MEMBER_ID));
    member.writeSecret(dir);
    int[] ports = FreePorts.take(2);
    String peers = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1];
    List<ChildJvm> nodes = new ArrayList<>();
    try {
      for (int port : ports) {
        List<String> options = new ArrayList<>(List.of("-Xmx256m",
            "-Dgroupcache.discovery=static",
            "-Dgroupcache.static.peers=" + peers,
            "-Dgroupcache.self=127.0.0.1:" + port,
            "-Dgroupcache.port=" + port,
            "-Dgroupcache.bind-host=127.0.0.1",
            "-Dgroupcache.tls.peer-identity=" + TestPki.MEMBER_PATTERN));
        options.addAll(TestPki.Issued.options(dir));
        nodes.add(ChildJvm.start("consumer-" + nodes.size(), classPath(), options, ConsumerMain.class.getName(),
            List.of(), LOGS));
      }
      for (ChildJvm node : nodes) {
        assertEquals("ready", node.await("ready", WAIT), node::log);
      }
      if (linuxWithBundledNatives()) {
        assertEquals("yes yes", nodes.get(0).call("natives", WAIT), "OpenSSL (BoringSSL) and epoll under relocated names");
      }
      // Twenty keys: about half owned by each member, so both directions cross the wire.
      for (int i = 0; i < 20; i++) {
        ChildJvm writer = nodes.get(i % 2);
        assertEquals("ok", writer.call("put k" + i + " v" + i, WAIT));
      }
      for (int i = 0; i < 20; i++) {
        ChildJvm reader = nodes.get((i + 1) % 2);
        assertEquals("v" + i, reader.call("get k" + i, WAIT), "k" + i + " written by the other member");
      }
    } finally {
      nodes.forEach(ChildJvm::close);
    }
  }

  @Test
  void kubernetesApiDiscoveryWithoutItsJarNamesTheJarToAdd() {
    int port = FreePorts.take();
    try (ChildJvm node = ChildJvm.start("consumer-endpointslices", classPath(), List.of("-Xmx256m",
        "-Dgroupcache.discovery=endpointslices", "-Dgroupcache.kubernetes.service=orders",
        "-Dgroupcache.kubernetes.namespace=shop", "-Dgroupcache.self=127.0.0.1:" + port,
        "-Dgroupcache.port=" + port, "-Dgroupcache.bind-host=127.0.0.1"), ConsumerMain.class.getName(), List.of(), LOGS)) {
      String answer = node.await("ready", WAIT);
      assertTrue(answer.startsWith("failed: ") && answer.contains("add the dependency dev.groupcache:groupcache-kubernetes"),
          answer);
    }
  }

  /** The jar, the two APIs, and the application (this module's test classes): nothing else. */
  static String classPath() {
    try {
      Path app = Path.of(ConsumerMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return String.join(File.pathSeparator, JAR.toString(), System.getProperty("cache-api.jar"),
          System.getProperty("microprofile-config-api.jar"), app.toString());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether the jar carries Netty's native libraries for this machine (Linux, x86_64 or aarch64). */
  static boolean linuxWithBundledNatives() {
    String arch = System.getProperty("os.arch");
    return System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
        && (arch.equals("amd64") || arch.equals("aarch64"));
  }

  private static String text(Element e, String tag, String absent) {
    NodeList l = e.getElementsByTagName(tag);
    return l.getLength() == 0 ? absent : l.item(0).getTextContent().strip();
  }
}
