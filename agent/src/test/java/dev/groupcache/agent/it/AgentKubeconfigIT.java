package dev.groupcache.agent.it;

import static dev.groupcache.agent.it.AgentJvm.START;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.discovery.fake.EndpointSliceBuilder;
import dev.groupcache.discovery.fake.FakeApiServer;
import dev.groupcache.discovery.fake.ResourceKind;
import dev.groupcache.testing.ChildJvm;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An agent JVM outside a cluster whose kubeconfig authenticates with a client certificate, as kind's
 * and minikube's do: client-java reads the key with the part of BouncyCastle the agent carries
 * (its providers and algorithms are left out), for each form kubeconfigs hold keys in.
 */
class AgentKubeconfigIT {
  /** The key forms: PKCS#1 and SEC1 (what kind and openssl write), and PKCS#8. */
  enum KeyForm {
    RSA_PKCS1("RSA", "SHA256withRSA", true),
    EC_SEC1("EC", "SHA256withECDSA", true),
    RSA_PKCS8("RSA", "SHA256withRSA", false),
    EC_PKCS8("EC", "SHA256withECDSA", false);

    final String algorithm;
    final String signature;
    final boolean traditional;

    KeyForm(String algorithm, String signature, boolean traditional) {
      this.algorithm = algorithm;
      this.signature = signature;
      this.traditional = traditional;
    }
  }

  @ParameterizedTest
  @EnumSource(KeyForm.class)
  void aClientCertificateKeyInEachFormReachesTheApiServer(KeyForm form) throws Exception {
    int port = 17560 + form.ordinal();
    try (FakeApiServer api = FakeApiServer.startHttp()) {
      api.upsert(ResourceKind.ENDPOINT_SLICE, EndpointSliceBuilder.endpointSlice("shop", "quotes-abc")
          .serviceName("quotes").addPort("groupcache", port, "TCP")
          .addEndpoint(EndpointSliceBuilder.endpoint("127.0.0.1").ready(true).targetPod("quotes-1")).build());
      Path kubeconfig = Files.createTempFile("kubeconfig-" + form, "");
      try {
        writeKubeconfig(kubeconfig, api.baseUrl(), form);
        try (ChildJvm jvm = AgentJvm.start("kubeconfig-" + form, List.of("-javaagent:" + AgentJvm.AGENT_JAR.toAbsolutePath()
                + "=kubernetes.service=quotes,port=" + port + ",self=127.0.0.1:" + port + ",bind-host=127.0.0.1"),
            List.of(), Map.of("KUBECONFIG", kubeconfig.toString()))) {
          assertEquals("ready", jvm.await("ready", START), jvm.log() + AgentJvm.stderr("kubeconfig-" + form));
          String node = AgentJvm.awaitNode(jvm, "ready=true local-only=false peers=1");
          assertTrue(node.startsWith("ready=true local-only=false peers=1"),
              node + "\n" + AgentJvm.stderr("kubeconfig-" + form));
        }
      } finally {
        Files.deleteIfExists(kubeconfig);
      }
    }
  }

  private static void writeKubeconfig(Path file, String server, KeyForm form) throws GeneralSecurityException {
    // BouncyCastle's keys: an EC key it writes in SEC1 carries its public key, as openssl's do
    KeyPairGenerator generator = KeyPairGenerator.getInstance(form.algorithm, new BouncyCastleProvider());
    generator.initialize(form.algorithm.equals("RSA") ? 2048 : 256);
    KeyPair keys = generator.generateKeyPair();
    String certificate = pem(certificate(keys, form.signature));
    String key = form.traditional ? pem(keys.getPrivate())
        : "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(keys.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    assertTrue(key.startsWith(form.traditional ? "-----BEGIN " + form.algorithm + " PRIVATE KEY-----" : "-----BEGIN PRIVATE KEY-----"),
        key);
    Base64.Encoder b64 = Base64.getEncoder();
    String yaml = String.join("\n", "apiVersion: v1", "kind: Config",
        "clusters:", "- name: fake", "  cluster:", "    server: " + server,
        "users:", "- name: dev", "  user:",
        "    client-certificate-data: " + b64.encodeToString(certificate.getBytes(StandardCharsets.US_ASCII)),
        "    client-key-data: " + b64.encodeToString(key.getBytes(StandardCharsets.US_ASCII)),
        "contexts:", "- name: dev@fake", "  context:", "    cluster: fake", "    user: dev", "    namespace: shop",
        "current-context: dev@fake", "");
    try {
      Files.writeString(file, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Object certificate(KeyPair keys, String signature) {
    X500Name name = new X500Name("CN=dev");
    Instant now = Instant.now();
    try {
      return new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
          Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic())
          .build(new JcaContentSignerBuilder(signature).build(keys.getPrivate()));
    } catch (OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** PEM as BouncyCastle writes it: a private key in its algorithm's own form (PKCS#1, SEC1). */
  private static String pem(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
