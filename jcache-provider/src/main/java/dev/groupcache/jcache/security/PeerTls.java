package dev.groupcache.jcache.security;

import dev.groupcache.jcache.configuration.Settings.TlsSettings;
import dev.groupcache.jcache.configuration.SettingsKey;
import io.grpc.ChannelCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import io.grpc.util.CertificateUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Date;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Mutual TLS on the peer port, from the PEM files of {@code groupcache.tls.*} (cert-manager's
 * Secret: {@code tls.crt}, {@code tls.key}, {@code ca.crt}): the server credentials, which require
 * a client certificate, and the channel credentials of this node's links to its peers. Both ends
 * check the other the same way: its chain must lead to the CA, and, if {@code
 * groupcache.tls.peer-identity} is set, its certificate must name a member ({@link PeerIdentity}).
 * Hostname verification is off, since peers are dialled by pod IP; the identity pattern takes its
 * place.
 *
 * <p>The TLS itself is grpc-java's: {@link AdvancedTlsX509KeyManager} and {@link
 * AdvancedTlsX509TrustManager} behind {@link TlsServerCredentials} and {@link
 * TlsChannelCredentials}. Both managers take new material at any time, and each handshake uses
 * what they hold then: connections already open keep theirs and continue, new ones get the new
 * files. The files are read again every {@code groupcache.tls.refresh} by this class rather than
 * by the managers' own file watchers, which raise any period under one minute to one minute
 * (tests and short-lived certificates want less), compare modification times only, and would
 * install a certificate with a key that is not its own if they caught cert-manager between two
 * files. Here a change is a change of content, and a new certificate and key are taken only
 * once the key is the certificate's; until then, and if the files cannot be read or parsed, the
 * material in use stays, with a warning.
 */
public final class PeerTls implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(PeerTls.class.getName());

  private final TlsSettings settings;
  private final AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
  private final AdvancedTlsX509TrustManager trust;
  private final ServerCredentials serverCredentials;
  private final ChannelCredentials channelCredentials;
  private final ScheduledFuture<?> refresh;
  // Read and written by the constructor, then by the refresh task alone (runs never overlap).
  private byte[] identityFiles;
  private byte[] caFile;

  private PeerTls(TlsSettings settings, ScheduledExecutorService timer) {
    this.settings = settings;
    AdvancedTlsX509TrustManager.Builder trustBuilder = AdvancedTlsX509TrustManager.newBuilder()
        .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION);
    settings.peerIdentity().ifPresent(p -> trustBuilder.setSslSocketAndEnginePeerVerifier(new PeerIdentity(p)));
    try {
      this.trust = trustBuilder.build();
    } catch (CertificateException e) {
      throw new IllegalStateException("cannot create grpc-java's trust manager", e);
    }
    try {
      load();
    } catch (InvalidFile e) {
      throw new IllegalArgumentException(e.getMessage(), e.getCause());
    }
    this.serverCredentials = TlsServerCredentials.newBuilder()
        .keyManager(keys)
        .trustManager(trust)
        .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
        .build();
    this.channelCredentials = TlsChannelCredentials.newBuilder().keyManager(keys).trustManager(trust).build();
    long period = settings.refresh().toNanos();
    this.refresh = timer.scheduleWithFixedDelay(this::refresh, period, period, TimeUnit.NANOSECONDS);
  }

  /**
   * Reads the files and starts reading them again every {@link TlsSettings#refresh()} on {@code
   * timer}, until {@link #close()}.
   *
   * @throws IllegalArgumentException naming the key and path of a file that cannot be read or is
   *     not what it should be, or a key that does not belong to the certificate
   */
  public static PeerTls start(TlsSettings settings, ScheduledExecutorService timer) {
    return new PeerTls(Objects.requireNonNull(settings, "settings"), Objects.requireNonNull(timer, "timer"));
  }

  /** Credentials for the peer server: TLS, with a client certificate required and checked. */
  public ServerCredentials serverCredentials() {
    return serverCredentials;
  }

  /** Credentials for this node's links to its peers: TLS, with this node's certificate. */
  public ChannelCredentials channelCredentials() {
    return channelCredentials;
  }

  /** Stops reading the files; credentials already handed out keep the material they hold. */
  @Override
  public void close() {
    refresh.cancel(false);
  }

  private void refresh() {
    try {
      load();
    } catch (InvalidFile e) {
      LOG.log(Level.WARNING, "groupcache keeps its current TLS material: " + e.getMessage()
          + "; the files are read again in " + settings.refresh(), e.getCause());
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "reading the TLS files again failed; the current material stays", e);
    }
  }

  /** Reads the files, and gives the managers what changed. */
  private void load() throws InvalidFile {
    byte[] cert = read(SettingsKey.TLS_CERT, settings.cert());
    byte[] key = read(SettingsKey.TLS_KEY, settings.key());
    byte[] ca = read(SettingsKey.TLS_CA, settings.ca());
    byte[] identity = concat(cert, key);
    if (!Arrays.equals(ca, caFile)) {
      X509Certificate[] roots = certificates(SettingsKey.TLS_CA, settings.ca(), ca);
      try {
        trust.updateTrustCredentials(roots);
      } catch (IOException | GeneralSecurityException e) {
        throw new InvalidFile(SettingsKey.TLS_CA, settings.ca(), "cannot be used as trust roots", e);
      }
      caFile = ca;
      LOG.log(Level.INFO, "groupcache TLS trusts {0} certificate(s) from {1}", roots.length, settings.ca());
    }
    if (!Arrays.equals(identity, identityFiles)) {
      X509Certificate[] chain = certificates(SettingsKey.TLS_CERT, settings.cert(), cert);
      PrivateKey privateKey = privateKey(key);
      requirePair(chain[0], privateKey);
      keys.updateIdentityCredentials(chain, privateKey);
      identityFiles = identity;
      X509Certificate leaf = chain[0];
      LOG.log(Level.INFO, "groupcache TLS presents certificate {0} (serial {1}, valid until {2}) from {3}",
          leaf.getSubjectX500Principal().getName(), leaf.getSerialNumber().toString(16), leaf.getNotAfter(),
          settings.cert());
      warnIfPeersWouldRefuse(leaf);
    }
  }

  /** Logs what would make every peer refuse this node's own certificate. */
  private void warnIfPeersWouldRefuse(X509Certificate leaf) {
    if (leaf.getNotAfter().before(new Date())) {
      LOG.log(Level.WARNING, "the certificate in {0} expired on {1}: peers refuse it", settings.cert(),
          leaf.getNotAfter());
    }
    if (settings.peerIdentity().isPresent()) {
      try {
        new PeerIdentity(settings.peerIdentity().get()).check(new X509Certificate[] {leaf}, false);
      } catch (CertificateException e) {
        LOG.log(Level.WARNING, "this node's own certificate in {0} does not match {1}: peers with the same"
            + " setting refuse it ({2})", settings.cert(), SettingsKey.TLS_PEER_IDENTITY.key(), e.getMessage());
      }
    }
  }

  private static byte[] read(SettingsKey key, Path path) throws InvalidFile {
    try {
      return Files.readAllBytes(path);
    } catch (IOException e) {
      throw new InvalidFile(key, path, "cannot be read (" + e + ")", e);
    }
  }

  private static X509Certificate[] certificates(SettingsKey key, Path path, byte[] pem) throws InvalidFile {
    X509Certificate[] certificates;
    try {
      certificates = CertificateUtils.getX509Certificates(new ByteArrayInputStream(pem));
    } catch (CertificateException | RuntimeException e) {
      throw new InvalidFile(key, path, "holds no readable PEM certificate (" + e.getMessage() + ")", e);
    }
    if (certificates.length == 0) {
      throw new InvalidFile(key, path, "holds no PEM certificate", null);
    }
    return certificates;
  }

  private PrivateKey privateKey(byte[] pem) throws InvalidFile {
    String text = new String(pem, StandardCharsets.US_ASCII);
    if (!text.contains("-----BEGIN PRIVATE KEY-----")) {
      String found = text.contains("BEGIN RSA PRIVATE KEY") ? "a PKCS#1 RSA key"
          : text.contains("BEGIN EC PRIVATE KEY") ? "a SEC1 EC key"
          : text.contains("BEGIN ENCRYPTED PRIVATE KEY") ? "an encrypted key"
          : "no PEM private key";
      throw new InvalidFile(SettingsKey.TLS_KEY, settings.key(), "holds " + found
          + ": expected an unencrypted PKCS#8 key (BEGIN PRIVATE KEY), RSA or EC; with cert-manager, set the"
          + " Certificate's spec.privateKey.encoding to PKCS8", null);
    }
    try {
      return CertificateUtils.getPrivateKey(new ByteArrayInputStream(pem));
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new InvalidFile(SettingsKey.TLS_KEY, settings.key(), "holds no readable RSA or EC key ("
          + e.getMessage() + ")", e);
    }
  }

  /** Checks that {@code privateKey} is the key of {@code leaf}: it signs, and the certificate's key verifies. */
  private void requirePair(X509Certificate leaf, PrivateKey privateKey) throws InvalidFile {
    // CertificateUtils reads RSA and EC keys only
    String algorithm = privateKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
    boolean pair;
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(leaf.getPublicKey());
      verifier.update(challenge);
      pair = verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      pair = false;
    }
    if (!pair) {
      throw new InvalidFile(SettingsKey.TLS_KEY, settings.key(), "is not the key of the certificate in "
          + SettingsKey.TLS_CERT.key() + " (" + settings.cert() + ")", null);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = Arrays.copyOf(a, a.length + b.length + 1);
    both[a.length] = 0; // a PEM file has no NUL: the boundary is unambiguous
    System.arraycopy(b, 0, both, a.length + 1, b.length);
    return both;
  }

  /** A TLS file that cannot serve, named by its key and path. */
  private static final class InvalidFile extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidFile(SettingsKey key, Path path, String problem, Throwable cause) {
      super(key.key() + " = \"" + path + "\" " + problem, cause);
    }
  }
}
