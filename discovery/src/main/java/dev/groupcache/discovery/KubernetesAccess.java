package dev.groupcache.discovery;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How to reach the Kubernetes API: inside a pod with its service account, or from outside with a
 * kubeconfig. Transport, TLS and authentication are client-java's; the API server's certificate
 * is always verified.
 */
public final class KubernetesAccess {
  /** Where the kubelet mounts a pod's service account. */
  public static final Path SERVICE_ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

  private static final Pattern SUBJECT = Pattern.compile("\"sub\"\\s*:\\s*\"([^\"]+)\"");

  private final ApiClient client;
  private final String namespace;
  private final String identity;

  private KubernetesAccess(ApiClient client, String namespace, String identity) {
    this.client = client;
    this.namespace = namespace;
    this.identity = identity;
  }

  /** In a pod (the service account is mounted and KUBERNETES_SERVICE_HOST set), else the kubeconfig. */
  public static KubernetesAccess auto() {
    String host = System.getenv("KUBERNETES_SERVICE_HOST");
    if (host != null && Files.exists(SERVICE_ACCOUNT.resolve("token"))) {
      return inCluster();
    }
    String env = System.getenv("KUBECONFIG");
    Path file = env != null && !env.isBlank()
        ? Path.of(env.split(java.io.File.pathSeparator)[0])
        : Path.of(System.getProperty("user.home"), ".kube", "config");
    return kubeconfig(file);
  }

  /** In a pod: the API server from KUBERNETES_SERVICE_HOST and _PORT, the mounted service account. */
  public static KubernetesAccess inCluster() {
    String host = Objects.requireNonNull(System.getenv("KUBERNETES_SERVICE_HOST"),
        "KUBERNETES_SERVICE_HOST is not set: not running in a pod");
    String port = System.getenv().getOrDefault("KUBERNETES_SERVICE_PORT", "443");
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return inCluster("https://" + h + ":" + port, SERVICE_ACCOUNT);
  }

  /**
   * The API server at {@code url}, trusted through {@code ca.crt}, authenticated with the token in
   * {@code token} (re-read when it rotates), both in {@code serviceAccountDir}, whose
   * {@code namespace} file names the default namespace.
   */
  public static KubernetesAccess inCluster(String url, Path serviceAccountDir) {
    try {
      Path tokenFile = serviceAccountDir.resolve("token");
      ServiceAccountToken token = new ServiceAccountToken(tokenFile);
      ApiClient client = new ClientBuilder()
          .setBasePath(url)
          .setVerifyingSsl(true)
          .setCertificateAuthority(Files.readAllBytes(serviceAccountDir.resolve("ca.crt")))
          .setAuthentication(token)
          .setReadTimeout(Duration.ZERO)
          .build();
      Path namespaceFile = serviceAccountDir.resolve("namespace");
      String namespace = Files.exists(namespaceFile) ? Files.readString(namespaceFile).trim() : null;
      return new KubernetesAccess(client, namespace, subject(token.token(false)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the service account in " + serviceAccountDir, e);
    }
  }

  /** From outside a cluster: the current context of a kubeconfig file. */
  public static KubernetesAccess kubeconfig(Path file) {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      KubeConfig config = KubeConfig.loadKubeConfig(reader);
      config.setFile(file.toFile());
      ApiClient client = ClientBuilder.kubeconfig(config).setReadTimeout(Duration.ZERO).build();
      return new KubernetesAccess(client, config.getNamespace(), "the user of kubeconfig context '"
          + config.getCurrentContext() + "'");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the kubeconfig " + file, e);
    }
  }

  /**
   * An API client configured elsewhere (a proxy such as {@code kubectl proxy}, or a test server).
   * Its read timeout should be 0: watches are long reads.
   */
  public static KubernetesAccess of(ApiClient client, String namespace) {
    return new KubernetesAccess(client, namespace, "this client");
  }

  public ApiClient client() {
    return client;
  }

  /** The namespace to use when none is configured, or null. */
  public String namespace() {
    return namespace;
  }

  /** Who the API server sees, for messages: a service account, a kubeconfig user. */
  public String identity() {
    return identity;
  }

  /** The subject of a service account token (a JWT), or a placeholder if it cannot be read. */
  private static String subject(String jwt) {
    String[] parts = jwt.split("\\.");
    if (parts.length >= 2) {
      try {
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        Matcher m = SUBJECT.matcher(payload);
        if (m.find()) {
          return m.group(1);
        }
      } catch (IllegalArgumentException e) {
        // not a JWT: fall through
      }
    }
    return "this pod's service account";
  }
}
