package io.lethe.schemas.snapshot;

import io.lethe.records.ErasureReceipt;
import io.lethe.records.ModelSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The public keys whose snapshot (and receipt) signatures a model service (or {@code lethe
 * verify-receipt}) accepts, by key id. Holding more than one key is how keys rotate: trust the new
 * key, switch the job to it, then drop the old one. Immutable and thread-safe.
 */
public final class TrustedKeys {
  /** The outcome of checking a snapshot's signature. */
  public enum Check {
    /** Signed by a trusted key, and the signature verifies. */
    VALID,
    /** No signature, or no key id. */
    UNSIGNED,
    /** Signed by a key that is not trusted. */
    UNKNOWN_KEY,
    /** Signed by a trusted key, but the signature does not match the content. */
    BAD_SIGNATURE
  }

  private final Map<String, PublicKey> keys;

  private TrustedKeys(Map<String, PublicKey> keys) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("no trusted keys");
    }
    this.keys = Map.copyOf(keys);
  }

  /** The trust set of {@code keys}. */
  public static TrustedKeys of(Collection<PublicKey> keys) {
    Map<String, PublicKey> byId = new TreeMap<>();
    for (PublicKey key : keys) {
      byId.put(SigningKeys.keyId(key), key);
    }
    return new TrustedKeys(byId);
  }

  /**
   * The public keys in {@code paths}: each a PEM file with one or more {@code PUBLIC KEY} blocks,
   * or a directory, of which every {@code *.pub} file is read.
   */
  public static TrustedKeys load(List<Path> paths) {
    List<PublicKey> keys = new ArrayList<>();
    for (Path path : paths) {
      if (Files.isDirectory(path)) {
        List<Path> files;
        try (Stream<Path> listing = Files.list(path)) {
          files =
              listing
                  .filter(p -> p.getFileName().toString().endsWith(".pub"))
                  .filter(Files::isRegularFile)
                  .sorted()
                  .toList();
        } catch (IOException e) {
          throw new UncheckedIOException("cannot list trusted key directory " + path, e);
        }
        if (files.isEmpty()) {
          throw new IllegalArgumentException(
              "trusted key directory " + path + " has no *.pub file");
        }
        files.forEach(f -> keys.addAll(SigningKeys.readPublicKeys(f)));
      } else {
        keys.addAll(SigningKeys.readPublicKeys(path));
      }
    }
    return of(keys);
  }

  /** The ids of the trusted keys, sorted. */
  public List<String> keyIds() {
    return keys.keySet().stream().sorted().toList();
  }

  /** Checks {@code snapshot}'s signature (not its checksum: see {@link SnapshotChecksum}). */
  public Check check(ModelSnapshot snapshot) {
    return check(
        snapshot.getSignature(),
        snapshot.getSigningKeyId(),
        () -> SnapshotEncoding.canonical(snapshot),
        "snapshot " + snapshot.getModel());
  }

  /** Checks {@code receipt}'s signature (see {@link ReceiptSigner}). */
  public Check check(ErasureReceipt receipt) {
    return check(
        receipt.getSignature(),
        receipt.getSigningKeyId(),
        () -> ReceiptEncoding.canonical(receipt),
        "receipt " + receipt.getRequestId());
  }

  private Check check(ByteBuffer stored, String keyId, Supplier<byte[]> content, String what) {
    if (stored == null || keyId == null) {
      return Check.UNSIGNED;
    }
    PublicKey key = keys.get(keyId);
    if (key == null) {
      return Check.UNKNOWN_KEY;
    }
    ByteBuffer copy = stored.duplicate();
    byte[] signature = new byte[copy.remaining()];
    copy.get(signature);
    try {
      Signature verifier = Signature.getInstance(SigningKeys.ALGORITHM);
      verifier.initVerify(key);
      verifier.update(content.get());
      return verifier.verify(signature) ? Check.VALID : Check.BAD_SIGNATURE;
    } catch (java.security.SignatureException e) {
      return Check.BAD_SIGNATURE; // e.g. a signature of the wrong length
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot verify a signature of " + what, e);
    }
  }
}
