package dev.groupcache.grpc.resolver;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A parsed {@code kubernetes:} target: which Service, in which namespace, on which port.
 *
 * <p>The forms are kuberesolver's:
 * <ul>
 *   <li>{@code kubernetes:///svc:8080} (the namespace is the default one);
 *   <li>{@code kubernetes:///svc.ns:8080};
 *   <li>{@code kubernetes:///svc.ns.svc.cluster.local:8080} (the cluster domain after {@code svc} is
 *       ignored: the API server knows the Service by name and namespace only);
 *   <li>{@code kubernetes://ns/svc:8080};
 *   <li>{@code kubernetes://svc.ns:8080} (the name in the authority).
 * </ul>
 * The port is a number, used as is for every endpoint (the pods' port, not the Service's); or a
 * name such as {@code grpc}, looked up in each EndpointSlice's ports (the Service port's name,
 * which the EndpointSlice controller copies); or absent, meaning the slices' only port.
 *
 * @param service the Service's name
 * @param namespace its namespace, or null when the target names none (the resolver then uses its
 *     default: the pod's own namespace)
 * @param port the port number, or 0 when the target gives a name or no port
 * @param portName the port's name, or null when the target gives a number or no port
 */
public record KubernetesTarget(String service, String namespace, int port, String portName) {
  /** DNS-1035 label: what Kubernetes allows as a Service name. */
  private static final Pattern SERVICE = Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");
  /** DNS-1123 label: what Kubernetes allows as a namespace name. */
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  /** IANA_SVC_NAME: what Kubernetes allows as a port name. */
  private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?");

  /** @throws IllegalArgumentException naming the part that Kubernetes would not accept */
  public KubernetesTarget {
    check(SERVICE, service, "service name", "a lower-case DNS label starting with a letter, at most 63 characters");
    if (namespace != null) {
      check(NAMESPACE, namespace, "namespace", "a lower-case DNS label, at most 63 characters");
    }
    if (portName != null) {
      if (port != 0) {
        throw new IllegalArgumentException("a target has a port number or a port name, not both");
      }
      check(PORT_NAME, portName, "port name", "at most 15 lower-case letters, digits and '-', with a letter");
      if (portName.chars().noneMatch(Character::isLetter) || portName.contains("--")) {
        throw new IllegalArgumentException("port name '" + portName
            + "' must contain a letter and no '--' (an IANA service name)");
      }
    } else if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 1-65535: " + port);
    }
  }

  /**
   * Parses a target such as {@code kubernetes:///orders.shop:8080}; the scheme is not checked, so
   * that a provider registered under another scheme can use this too.
   *
   * @throws IllegalArgumentException saying what is wrong and which forms are accepted
   */
  public static KubernetesTarget parse(String target) {
    try {
      return parse(new URI(target));
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(problem(target, "not a URI: " + e.getMessage()), e);
    }
  }

  /** As {@link #parse(String)}. */
  public static KubernetesTarget parse(URI target) {
    String text = target.toString();
    if (target.isOpaque()) {
      throw new IllegalArgumentException(problem(text, "the service must follow '//' or '///'"));
    }
    if (target.getRawQuery() != null || target.getRawFragment() != null) {
      throw new IllegalArgumentException(problem(text, "a target has no query or fragment"));
    }
    String authority = target.getRawAuthority();
    String path = target.getRawPath() == null ? "" : target.getRawPath();
    try {
      if (authority == null || authority.isEmpty()) { // kubernetes:///svc.ns:port
        return named(single(path.startsWith("/") ? path.substring(1) : path), null);
      }
      if (authority.contains("@")) {
        throw new IllegalArgumentException("a target has no user information");
      }
      if (!path.isEmpty() && !path.equals("/")) { // kubernetes://ns/svc:port
        if (authority.contains(":")) {
          throw new IllegalArgumentException("in kubernetes://ns/svc:port the namespace has no port");
        }
        return named(single(path.substring(1)), authority);
      }
      return named(authority, null); // kubernetes://svc.ns:port
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(problem(text, e.getMessage()), e);
    }
  }

  /** The same Service and port in {@code namespace}. */
  public KubernetesTarget inNamespace(String namespace) {
    return new KubernetesTarget(service, namespace, port, portName);
  }

  /**
   * {@code service.namespace}: the name the Service's certificates carry in the usual setups and
   * the resolver's default authority (kuberesolver's TLS server name).
   *
   * @throws IllegalStateException if the namespace is not known yet
   */
  public String serviceAuthority() {
    if (namespace == null) {
      throw new IllegalStateException("no namespace: resolve the default namespace first");
    }
    return service + "." + namespace;
  }

  @Override
  public String toString() {
    return "kubernetes:///" + service + (namespace == null ? "" : "." + namespace)
        + (portName != null ? ":" + portName : port > 0 ? ":" + port : "");
  }

  private static String single(String endpoint) {
    if (endpoint.contains("/")) {
      throw new IllegalArgumentException("the path has more than one segment");
    }
    return endpoint;
  }

  /** {@code name[:port]} where name is svc, svc.ns or svc.ns.svc.domain; {@code namespace} from elsewhere. */
  private static KubernetesTarget named(String endpoint, String namespace) {
    if (endpoint.isEmpty()) {
      throw new IllegalArgumentException("no service named");
    }
    String name = endpoint;
    int port = 0;
    String portName = null;
    int colon = endpoint.lastIndexOf(':');
    if (colon >= 0) {
      name = endpoint.substring(0, colon);
      String p = endpoint.substring(colon + 1);
      if (p.isEmpty()) {
        throw new IllegalArgumentException("empty port after ':'");
      }
      if (p.chars().allMatch(c -> c >= '0' && c <= '9')) {
        port = p.length() > 5 ? -1 : Integer.parseInt(p);
        if (port < 1 || port > 65535) {
          throw new IllegalArgumentException("port must be 1-65535: " + p);
        }
      } else {
        portName = p;
      }
    }
    if (name.isEmpty()) {
      throw new IllegalArgumentException("no service named");
    }
    String[] labels = name.split("\\.", -1);
    String service = labels[0];
    String ns = labels.length >= 2 ? labels[1] : null;
    for (String label : labels) {
      if (label.isEmpty()) {
        throw new IllegalArgumentException("empty label in '" + name + "'");
      }
    }
    if (labels.length >= 3 && !labels[2].equals("svc")) {
      throw new IllegalArgumentException("'" + name + "' is not svc, svc.ns or svc.ns.svc.<cluster domain>");
    }
    if (ns != null && namespace != null) {
      throw new IllegalArgumentException("the namespace is given twice ('" + namespace + "' and '" + ns + "')");
    }
    return new KubernetesTarget(service, ns != null ? ns : namespace, port, portName);
  }

  private static void check(Pattern pattern, String value, String what, String rule) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("no " + what);
    }
    if (!pattern.matcher(value).matches()) {
      String hint = !value.equals(value.toLowerCase(Locale.ROOT)) ? " (Kubernetes names are lower case)" : "";
      throw new IllegalArgumentException(what + " '" + value + "' is not " + rule + hint);
    }
  }

  private static String problem(String target, String what) {
    return "bad kubernetes target '" + target + "': " + what + "; use kubernetes:///svc:port, "
        + "kubernetes:///svc.ns:port, kubernetes:///svc.ns.svc.cluster.local:port or kubernetes://ns/svc:port, "
        + "where port is a number or a port name";
  }
}
