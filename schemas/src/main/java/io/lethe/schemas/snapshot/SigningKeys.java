package io.lethe.schemas.snapshot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ed25519 keys for snapshot signatures: PEM files (a PKCS#8 {@code PRIVATE KEY}, X.509 {@code
 * PUBLIC KEY} blocks, the format of {@code openssl genpkey -algorithm ed25519}), key ids and key
 * pair generation.
 */
public final class SigningKeys {
  /** The JDK's name of the signature algorithm. */
  static final String ALGORITHM = "Ed25519";

  /** File name of the private key that {@link #generate(Path)} writes. */
  public static final String PRIVATE_KEY_FILE = "snapshot-signing.key";

  /** File name of the public key that {@link #generate(Path)} writes. */
  public static final String PUBLIC_KEY_FILE = "snapshot-signing.pub";

  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

  private SigningKeys() {}

  /** A key pair as written to disk by {@link #generate(Path)}. */
  public record GeneratedKeys(Path privateKey, Path publicKey, String keyId) {}

  /**
   * The key id of {@code key}: the first 16 lower-case hex digits of SHA-256 over its X.509
   * encoding. Signatures carry it so that a verifier can hold several keys (rotation).
   */
  public static String keyId(PublicKey key) {
    byte[] digest = SnapshotChecksum.sha256().digest(key.getEncoded());
    return HexFormat.of().formatHex(digest, 0, 8);
  }

  /** Reads the one Ed25519 private key (PKCS#8 PEM) in {@code file}. */
  public static PrivateKey readPrivateKey(Path file) {
    List<byte[]> blocks = blocks(file, "PRIVATE KEY");
    if (blocks.size() != 1) {
      throw new IllegalArgumentException(
          "signing key file "
              + file
              + " holds "
              + blocks.size()
              + " PEM PRIVATE KEY blocks, expected 1 (an Ed25519 key in PKCS#8, as `lethe keys"
              + " generate` or `openssl genpkey -algorithm ed25519` write it)");
    }
    try {
      return KeyFactory.getInstance(ALGORITHM)
          .generatePrivate(new PKCS8EncodedKeySpec(blocks.get(0)));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "signing key file " + file + " does not hold an Ed25519 private key: " + e.getMessage(),
          e);
    }
  }

  /** Reads the Ed25519 public keys (one or more X.509 PEM blocks) in {@code file}. */
  public static List<PublicKey> readPublicKeys(Path file) {
    List<byte[]> blocks = blocks(file, "PUBLIC KEY");
    if (blocks.isEmpty()) {
      throw new IllegalArgumentException(
          "trusted key file " + file + " holds no PEM PUBLIC KEY block");
    }
    List<PublicKey> keys = new ArrayList<>();
    for (byte[] block : blocks) {
      try {
        keys.add(KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(block)));
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException(
            "trusted key file " + file + " holds a key that is not Ed25519: " + e.getMessage(), e);
      }
    }
    return keys;
  }

  /**
   * The public key of an Ed25519 private key. The JDK has no call for it, but its key pair
   * generator derives the public key from 32 random bytes, which are exactly the private key: fed
   * those bytes, it rebuilds the pair. A signature round trip checks the result.
   */
  public static PublicKey publicKeyOf(PrivateKey key) {
    if (!(key instanceof EdECPrivateKey edKey) || edKey.getBytes().isEmpty()) {
      throw new IllegalArgumentException("not an Ed25519 private key: " + key.getAlgorithm());
    }
    byte[] seed = edKey.getBytes().get();
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
      generator.initialize(255, new FixedBytes(seed));
      PublicKey derived = generator.generateKeyPair().getPublic();
      byte[] probe = "lethe key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(ALGORITHM);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(ALGORITHM);
      verifier.initVerify(derived);
      verifier.update(probe);
      if (!verifier.verify(signature)) {
        throw new IllegalStateException("could not derive the public key of an Ed25519 key");
      }
      return derived;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is required by every Java 15+ platform", e);
    }
  }

  /**
   * Generates a key pair and writes it to {@code dir} as {@link #PRIVATE_KEY_FILE} (readable by the
   * owner only, where the file system has POSIX permissions) and {@link #PUBLIC_KEY_FILE}. Refuses
   * to overwrite an existing key.
   */
  public static GeneratedKeys generate(Path dir) {
    Path privateFile = dir.resolve(PRIVATE_KEY_FILE);
    Path publicFile = dir.resolve(PUBLIC_KEY_FILE);
    if (Files.exists(privateFile) || Files.exists(publicFile)) {
      throw new IllegalArgumentException(
          "a key already exists in " + dir + "; move it away or choose another directory");
    }
    KeyPair pair;
    try {
      pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is required by every Java 15+ platform", e);
    }
    try {
      Files.createDirectories(dir);
      Files.createFile(privateFile);
      try {
        Files.setPosixFilePermissions(privateFile, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system: the directory's permissions protect the key
      }
      Files.writeString(privateFile, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
      Files.writeString(publicFile, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a key pair to " + dir, e);
    }
    return new GeneratedKeys(privateFile, publicFile, keyId(pair.getPublic()));
  }

  /** {@code der} as a PEM block of {@code type}, 64 characters a line. */
  static String pem(String type, byte[] der) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  private static List<byte[]> blocks(Path file, String type) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read key file " + file, e);
    }
    List<byte[]> blocks = new ArrayList<>();
    Matcher m = PEM.matcher(text);
    while (m.find()) {
      if (m.group(1).equals(type)) {
        blocks.add(Base64.getMimeDecoder().decode(m.group(2)));
      }
    }
    return blocks;
  }

  /** A random source that returns given bytes, to rebuild a key pair from its private key. */
  private static final class FixedBytes extends SecureRandom {
    private final byte[] bytes;

    FixedBytes(byte[] bytes) {
      this.bytes = bytes.clone();
    }

    @Override
    public void nextBytes(byte[] out) {
      if (out.length != bytes.length) {
        throw new IllegalStateException(
            "asked for " + out.length + " random bytes, expected " + bytes.length);
      }
      System.arraycopy(bytes, 0, out, 0, out.length);
    }
  }
}
