package dev.groupcache.jcache.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority for tests, made at test time (EC P-256, BouncyCastle's certificate
 * builder): member certificates with the names cert-manager would put in them, written in the
 * layout of a Secret mounted in a pod, so that tests use exactly what the provider reads.
 */
public final class TestPki {
  /** The SPIFFE ID of the cluster's members in the tests. */
  public static final String MEMBER_ID = "spiffe://cluster.local/ns/shop/sa/orders";
  /** The peer-identity pattern that admits {@link #MEMBER_ID} and nothing else. */
  public static final String MEMBER_PATTERN = "spiffe://cluster\\.local/ns/shop/sa/orders";

  private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime() & 0xffffffffL);

  private final KeyPair keys;
  private final X509Certificate certificate;

  /** A certificate and its key, and the CA that signed it. */
  public record Issued(X509Certificate certificate, PrivateKey key, TestPki ca) {
    public BigInteger serial() {
      return certificate.getSerialNumber();
    }

    /**
     * Writes {@code tls.crt}, {@code tls.key} and {@code ca.crt} into {@code dir} as the kubelet
     * mounts a Secret: the files are links into {@code ..data}, itself a link to a directory of
     * this version, switched by one atomic rename, so that readers see the old files or the new
     * ones, never a mix.
     */
    public void writeSecret(Path dir) {
      try {
        Files.createDirectories(dir);
        Path version = Files.createTempDirectory(dir, "..version-");
        Files.writeString(version.resolve("tls.crt"), pem("CERTIFICATE", certificate.getEncoded()));
        Files.writeString(version.resolve("tls.key"), pem("PRIVATE KEY", key.getEncoded()));
        Files.writeString(version.resolve("ca.crt"), pem("CERTIFICATE", ca.certificate.getEncoded()));
        Path next = dir.resolve("..data_tmp");
        Files.deleteIfExists(next);
        Files.createSymbolicLink(next, version.getFileName());
        Files.move(next, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        for (String file : List.of("tls.crt", "tls.key", "ca.crt")) {
          if (!Files.exists(dir.resolve(file), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(dir.resolve(file), Path.of("..data", file));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    /** The JVM options that point a member at the Secret in {@code dir}. */
    public static List<String> options(Path dir) {
      return List.of("-Dgroupcache.tls.cert=" + dir.resolve("tls.crt"), "-Dgroupcache.tls.key=" + dir.resolve("tls.key"),
          "-Dgroupcache.tls.ca=" + dir.resolve("ca.crt"));
    }
  }

  private TestPki(String name) {
    this.keys = ecKeys();
    Instant now = Instant.now();
    this.certificate = sign(new X500Principal("CN=" + name), keys, now.minus(Duration.ofHours(1)),
        now.plus(Duration.ofDays(30)), true, List.of(), keys.getPrivate(), null);
  }

  /** A new self-signed CA called {@code name}. */
  public static TestPki create(String name) {
    return new TestPki(name);
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /**
   * A member certificate valid from an hour ago for a day, for server and client authentication.
   *
   * @param names subject alternative names: those with {@code ://} are URIs, the others DNS names
   */
  public Issued issue(String cn, List<String> names) {
    Instant now = Instant.now();
    return issue(cn, names, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)));
  }

  /** As {@link #issue(String, List)}, expired an hour ago. */
  public Issued issueExpired(String cn, List<String> names) {
    Instant now = Instant.now();
    return issue(cn, names, now.minus(Duration.ofDays(2)), now.minus(Duration.ofHours(1)));
  }

  private Issued issue(String cn, List<String> names, Instant from, Instant to) {
    KeyPair member = ecKeys();
    X509Certificate cert = sign(new X500Principal("CN=" + cn), member, from, to, false, names, keys.getPrivate(),
        certificate.getSubjectX500Principal());
    return new Issued(cert, member.getPrivate(), this);
  }

  private static X509Certificate sign(X500Principal subject, KeyPair subjectKeys, Instant from, Instant to,
      boolean ca, List<String> names, PrivateKey issuerKey, X500Principal issuer) {
    try {
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer == null ? subject : issuer,
          BigInteger.valueOf(SERIALS.incrementAndGet()), Date.from(from), Date.from(to), subject,
          subjectKeys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      if (ca) {
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      } else {
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        GeneralName[] alt = names.stream()
            .map(n -> new GeneralName(n.contains("://") ? GeneralName.uniformResourceIdentifier : GeneralName.dNSName, n))
            .toArray(GeneralName[]::new);
        if (alt.length > 0) {
          b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alt));
        }
      }
      return new JcaX509CertificateConverter().getCertificate(
          b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    } catch (Exception e) {
      throw new IllegalStateException("cannot make a test certificate", e);
    }
  }

  private static KeyPair ecKeys() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code der} as a PEM block of {@code type}. */
  public static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
