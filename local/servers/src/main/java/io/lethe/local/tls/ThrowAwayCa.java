package io.lethe.local.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made for one run of a local stack: it issues server certificates (for the
 * names and addresses a listener is reached by) and client certificates, and writes each with its
 * chain into a PKCS#12 file in its directory, next to a file with the store's random password. The
 * directory and every file in it are readable by their owner only. Keys are RSA 2048 with SHA-256
 * signatures, which Flink's default cipher suites ({@code TLS_ECDHE_RSA_*}) and Kafka's accept.
 *
 * <p>Not thread-safe. A name is a file name: issuing a second certificate with the same name
 * replaces the first one's files.
 */
public final class ThrowAwayCa {
  /** How long the certificates are valid (from an hour ago, against clock skew). */
  public static final Duration VALIDITY = Duration.ofDays(365);

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final String SIGNATURE = "SHA256withRSA";
  private static final String TRUSTSTORE = "truststore";

  private final Path dir;
  private final SecureRandom random = new SecureRandom();
  private final KeyPair caKeys;
  private final X509Certificate caCertificate;
  private final X500Name caName;
  private StoreFile truststore;

  private ThrowAwayCa(Path dir, String name) {
    this.dir = dir;
    this.caName = distinguishedName(name);
    this.caKeys = newKeyPair();
    Instant now = Instant.now();
    try {
      JcaX509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              caName,
              serial(),
              Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(VALIDITY)),
              caName,
              caKeys.getPublic());
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      builder.addExtension(
          Extension.subjectKeyIdentifier,
          false,
          extensions.createSubjectKeyIdentifier(caKeys.getPublic()));
      this.caCertificate = sign(builder);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot make the CA certificate of " + name, e);
    }
  }

  /**
   * A new CA whose certificate is named {@code CN=<name>}, issuing into {@code dir} (created, owner
   * only, if missing).
   */
  public static ThrowAwayCa create(Path dir, String name) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(name, "name");
    createPrivateDirectory(dir);
    return new ThrowAwayCa(dir, name);
  }

  /** The directory the stores are written to. */
  public Path directory() {
    return dir;
  }

  /** The CA's certificate, the trust anchor of everything it issues. */
  public X509Certificate certificate() {
    return caCertificate;
  }

  /**
   * A server certificate for {@code sans}, the host names and IP addresses clients reach the server
   * by (e.g. {@code localhost}, {@code 127.0.0.1}), in the key store {@code <name>.p12}.
   *
   * @param name the certificate's common name and the store's file name
   */
  public StoreFile serverCertificate(String name, List<String> sans) {
    if (sans.isEmpty()) {
      throw new IllegalArgumentException(
          "a server certificate needs the names it is reached by: " + name);
    }
    return issue(name, sans, KeyPurposeId.id_kp_serverAuth);
  }

  /**
   * A client certificate, for a server that authenticates its clients by certificate (mutual TLS),
   * in the key store {@code <name>.p12}.
   *
   * @param name the certificate's common name (the client's identity) and the store's file name
   */
  public StoreFile clientCertificate(String name) {
    return issue(name, List.of(), KeyPurposeId.id_kp_clientAuth);
  }

  /**
   * The truststore with the CA's certificate ({@code truststore.p12}), for clients of its servers
   * and for servers that check client certificates. Written at the first call.
   */
  public StoreFile truststore() {
    if (truststore == null) {
      try {
        KeyStore store = emptyStore();
        store.setCertificateEntry("ca", caCertificate);
        truststore = write(TRUSTSTORE, store);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot make the truststore", e);
      }
    }
    return truststore;
  }

  private StoreFile issue(String name, List<String> sans, KeyPurposeId purpose) {
    if (!NAME.matcher(name).matches() || name.equals(TRUSTSTORE)) {
      throw new IllegalArgumentException(
          "'" + name + "' is not a certificate name: letters, digits, '.', '_' and '-'");
    }
    KeyPair keys = newKeyPair();
    Instant now = Instant.now();
    try {
      JcaX509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              caName,
              serial(),
              Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(VALIDITY)),
              distinguishedName(name),
              keys.getPublic());
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      builder.addExtension(
          Extension.subjectKeyIdentifier,
          false,
          extensions.createSubjectKeyIdentifier(keys.getPublic()));
      builder.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          extensions.createAuthorityKeyIdentifier(caCertificate));
      if (!sans.isEmpty()) {
        GeneralName[] names = new GeneralName[sans.size()];
        for (int i = 0; i < names.length; i++) {
          names[i] = subjectAlternativeName(sans.get(i));
        }
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      }
      X509Certificate certificate = sign(builder);
      KeyStore store = emptyStore();
      // the store's password protects the key too: Flink, Kafka and the JDK all assume that
      String password = newPassword();
      store.setKeyEntry(
          name,
          keys.getPrivate(),
          password.toCharArray(),
          new Certificate[] {certificate, caCertificate});
      return write(name, store, password);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot issue the certificate " + name, e);
    }
  }

  private StoreFile write(String name, KeyStore store) {
    return write(name, store, newPassword());
  }

  private StoreFile write(String name, KeyStore store, String password) {
    StoreFile file = new StoreFile(dir.resolve(name + ".p12"), dir.resolve(name + ".password"));
    try {
      writePrivate(file.passwordFile(), (password + "\n").getBytes(StandardCharsets.UTF_8));
      try (OutputStream out = openPrivate(file.path())) {
        store.store(out, password.toCharArray());
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot write " + file, e);
    }
  }

  private X509Certificate sign(X509v3CertificateBuilder builder) throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(new JcaContentSignerBuilder(SIGNATURE).build(caKeys.getPrivate())));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("cannot sign with " + SIGNATURE, e);
    }
  }

  private static KeyStore emptyStore() throws GeneralSecurityException {
    KeyStore store = KeyStore.getInstance(StoreFile.TYPE);
    try {
      store.load(null, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return store;
  }

  private KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048, random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no RSA key pair generator", e);
    }
  }

  private BigInteger serial() {
    return new BigInteger(127, random).add(BigInteger.ONE);
  }

  private String newPassword() {
    byte[] bytes = new byte[24];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static X500Name distinguishedName(String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "Lethe local")
        .addRDN(BCStyle.CN, commonName)
        .build();
  }

  private static GeneralName subjectAlternativeName(String san) {
    if (IPV4.matcher(san).matches() || san.contains(":")) {
      try {
        // a literal address: no name lookup happens
        return new GeneralName(
            GeneralName.iPAddress, new DEROctetString(InetAddress.getByName(san).getAddress()));
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("'" + san + "' is not an IP address", e);
      }
    }
    return new GeneralName(GeneralName.dNSName, san);
  }

  private static void createPrivateDirectory(Path dir) {
    try {
      if (!Files.isDirectory(dir)) {
        try {
          Files.createDirectories(
              dir,
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException notPosix) {
          Files.createDirectories(dir);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
  }

  private static void writePrivate(Path file, byte[] content) throws IOException {
    try (OutputStream out = openPrivate(file)) {
      out.write(content);
    }
  }

  /** A new, empty file readable and writable by its owner only, replacing one that exists. */
  private static OutputStream openPrivate(Path file) throws IOException {
    Files.deleteIfExists(file);
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(file);
    } catch (FileAlreadyExistsException raced) {
      throw new IOException(file + " was created by someone else while being replaced", raced);
    }
    return Files.newOutputStream(file);
  }
}
