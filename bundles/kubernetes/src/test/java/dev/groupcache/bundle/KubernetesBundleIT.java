package dev.groupcache.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.discovery.fake.EndpointSliceBuilder;
import dev.groupcache.discovery.fake.FakeApiServer;
import dev.groupcache.discovery.fake.ResourceKind;
import dev.groupcache.testing.ChildJvm;
import dev.groupcache.testing.FreePorts;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * groupcache-kubernetes beside groupcache-jcache, as an application that finds its peers through
 * the API server gets them: its POM brings groupcache-jcache and nothing else, its classes are all
 * relocated, and two JVMs with only the two jars and the two APIs find each other in an
 * EndpointSlice, through a kubeconfig that authenticates with a client certificate (the key read by
 * the part of BouncyCastle the jar keeps), and share a cache.
 */
class KubernetesBundleIT {
  private static final Path JAR = Path.of(System.getProperty("bundle.jar"));
  private static final Path POM = Path.of(System.getProperty("bundle.pom"));
  private static final Path LOGS = JAR.resolveSibling("bundle-logs");
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void publishedPomNamesGroupcacheJcacheOnly() throws Exception {
    var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(POM.toFile());
    NodeList deps = doc.getElementsByTagName("dependency");
    List<String> transitive = new ArrayList<>();
    for (int i = 0; i < deps.getLength(); i++) {
      Element d = (Element) deps.item(i);
      String scope = text(d, "scope", "compile");
      if (scope.equals("compile") || scope.equals("runtime")) {
        transitive.add(text(d, "groupId", "") + ":" + text(d, "artifactId", ""));
      }
    }
    assertEquals(List.of("dev.groupcache:groupcache-jcache"), transitive);
  }

  @Test
  void everyClassIsRelocatedAndNoSecurityProviderIsInstalled() throws IOException {
    try (JarFile jar = new JarFile(JAR.toFile())) {
      List<String> names = jar.stream().map(JarEntry::getName).toList();
      assertTrue(names.contains("dev/groupcache/shaded/io/kubernetes/client/openapi/ApiClient.class"));
      assertEquals(List.of(), names.stream()
          .filter(n -> n.endsWith(".class") && !n.startsWith("dev/groupcache/shaded/")).limit(5).toList());
      assertEquals(List.of(), names.stream()
          .filter(n -> n.startsWith("META-INF/services/") && !n.endsWith("/") && !n.startsWith("META-INF/services/dev.groupcache.shaded."))
          .toList(), "services an application would see, such as java.security.Provider");
    }
  }

  @Test
  void twoMembersFindEachOtherInAnEndpointSliceAndShareACache(@TempDir Path dir) throws Exception {
    int port = FreePorts.take();
    List<String> hosts = List.of("127.0.0.21", "127.0.0.22");
    List<ChildJvm> nodes = new ArrayList<>();
    try (FakeApiServer api = FakeApiServer.startHttp()) {
      EndpointSliceBuilder slice = EndpointSliceBuilder.endpointSlice("shop", "orders-abc").serviceName("orders")
          .addPort("groupcache", port, "TCP");
      for (String host : hosts) {
        slice.addEndpoint(EndpointSliceBuilder.endpoint(host).ready(true).targetPod("orders-" + host));
      }
      api.upsert(ResourceKind.ENDPOINT_SLICE, slice.build());
      Path kubeconfig = writeKubeconfig(dir.resolve("kubeconfig"), api.baseUrl());
      for (String host : hosts) {
        nodes.add(ChildJvm.start("kubernetes-" + host, classPath(), List.of("-Xmx256m",
            "-Dgroupcache.discovery=endpointslices", "-Dgroupcache.kubernetes.service=orders",
            "-Dgroupcache.port=" + port, "-Dgroupcache.self=" + host + ":" + port, "-Dgroupcache.bind-host=" + host),
            ConsumerMain.class.getName(), List.of(), LOGS, Map.of("KUBECONFIG", kubeconfig.toString())));
      }
      for (ChildJvm node : nodes) {
        assertEquals("ready", node.await("ready", WAIT), node::log);
      }
      // Twenty keys: about half owned by each member, so both directions cross the wire.
      for (int i = 0; i < 20; i++) {
        assertEquals("ok", nodes.get(i % 2).call("put k" + i + " v" + i, WAIT));
      }
      for (int i = 0; i < 20; i++) {
        assertEquals("v" + i, nodes.get((i + 1) % 2).call("get k" + i, WAIT), "k" + i + " written by the other member");
      }
    } finally {
      nodes.forEach(ChildJvm::close);
    }
  }

  /** A kubeconfig for {@code server} whose user has a client certificate and its EC key in SEC1 PEM. */
  private static Path writeKubeconfig(Path file, String server) throws Exception {
    // BouncyCastle's key: in SEC1 it carries its public key, as openssl's do
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", new BouncyCastleProvider());
    generator.initialize(256);
    KeyPair keys = generator.generateKeyPair();
    X500Name name = new X500Name("CN=orders");
    Instant now = Instant.now();
    Object certificate = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic())
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
    Base64.Encoder b64 = Base64.getEncoder();
    return Files.writeString(file, String.join("\n", "apiVersion: v1", "kind: Config",
        "clusters:", "- name: fake", "  cluster:", "    server: " + server,
        "users:", "- name: orders", "  user:",
        "    client-certificate-data: " + b64.encodeToString(pem(certificate).getBytes(StandardCharsets.US_ASCII)),
        "    client-key-data: " + b64.encodeToString(pem(keys.getPrivate()).getBytes(StandardCharsets.US_ASCII)),
        "contexts:", "- name: orders@fake", "  context:", "    cluster: fake", "    user: orders", "    namespace: shop",
        "current-context: orders@fake", ""));
  }

  private static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
  }

  /** The two jars, the two APIs, and the application: nothing else. */
  private static String classPath() throws URISyntaxException {
    Path app = Path.of(ConsumerMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    return String.join(File.pathSeparator, System.getProperty("jcache-bundle.jar"), JAR.toString(),
        System.getProperty("cache-api.jar"), System.getProperty("microprofile-config-api.jar"), app.toString());
  }

  private static String text(Element e, String tag, String absent) {
    NodeList l = e.getElementsByTagName(tag);
    return l.getLength() == 0 ? absent : l.item(0).getTextContent().strip();
  }
}
