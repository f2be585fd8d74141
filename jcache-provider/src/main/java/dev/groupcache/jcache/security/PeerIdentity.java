package dev.groupcache.jcache.security;

import io.grpc.util.AdvancedTlsX509TrustManager;
import java.lang.System.Logger.Level;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.net.ssl.SSLEngine;

/**
 * The check that a peer is a member of this cluster and not merely someone the CA signed: one DNS
 * or URI subject alternative name of its leaf certificate matches {@code groupcache.tls.peer-identity}.
 * It runs in the trust manager, after the chain has been verified to the CA, on both ends of every
 * connection: a server checks its clients and a client checks the server it dialled.
 *
 * <p>The pattern is a Java regular expression matched against the whole name ({@link
 * java.util.regex.Matcher#matches()}), not a glob: identities such as SPIFFE IDs
 * ({@code spiffe://cluster.local/ns/shop/sa/orders}) contain {@code /} and {@code .}, where a
 * glob's {@code *} has no agreed meaning, and an allowlist of several service accounts needs
 * alternation ({@code spiffe://cluster\.local/ns/shop/sa/(orders|billing)}); a whole match keeps
 * an unanchored pattern from accepting a longer name that merely contains it.
 *
 * <p>This replaces hostname verification, which is off: peers are dialled by pod IP, which
 * changes with every pod and is not in certificates that cert-manager issues per workload. What
 * a peer must prove is its workload identity, not its address.
 */
final class PeerIdentity implements AdvancedTlsX509TrustManager.SslSocketAndEnginePeerVerifier {
  private static final System.Logger LOG = System.getLogger(PeerIdentity.class.getName());
  /** The {@code GeneralName} tags of {@code dNSName} and {@code uniformResourceIdentifier}. */
  private static final int DNS = 2;
  private static final int URI = 6;

  private final Pattern pattern;

  PeerIdentity(Pattern pattern) {
    this.pattern = Objects.requireNonNull(pattern, "pattern");
  }

  @Override
  public void verifyPeerCertificate(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain, false);
  }

  @Override
  public void verifyPeerCertificate(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, engine.getUseClientMode());
  }

  /**
   * Passes if a name of {@code chain[0]} matches.
   *
   * @param dialled whether this end dialled the peer (a client checking a server): then a refusal
   *     is this member's own link failing, logged as a warning; a refused client is logged at
   *     debug level only, as anyone who can reach the port can cause one
   */
  void check(X509Certificate[] chain, boolean dialled) throws CertificateException {
    List<String> names = names(chain[0]);
    for (String name : names) {
      if (pattern.matcher(name).matches()) {
        return;
      }
    }
    String message = "the peer's certificate (subject " + chain[0].getSubjectX500Principal().getName()
        + ", DNS and URI names " + names + ") does not match groupcache.tls.peer-identity " + pattern;
    LOG.log(dialled ? Level.WARNING : Level.DEBUG, "groupcache refused a {0}: {1}",
        dialled ? "peer it dialled" : "client", message);
    throw new CertificateException(message);
  }

  /** The DNS and URI subject alternative names of {@code certificate}, in its order. */
  static List<String> names(X509Certificate certificate) throws CertificateParsingException {
    Collection<List<?>> all = certificate.getSubjectAlternativeNames();
    List<String> names = new ArrayList<>();
    if (all != null) {
      for (List<?> name : all) {
        int tag = (Integer) name.get(0);
        if ((tag == DNS || tag == URI) && name.get(1) instanceof String s) {
          names.add(s);
        }
      }
    }
    return names;
  }
}
