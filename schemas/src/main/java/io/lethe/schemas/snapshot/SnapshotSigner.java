package io.lethe.schemas.snapshot;

import io.lethe.records.ModelSnapshot;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;

/**
 * Signs {@link ModelSnapshot}s with an Ed25519 private key, so that a model service holding the
 * public key can tell a snapshot of the learner job from a forged one. Thread-safe.
 */
public final class SnapshotSigner {
  private final PrivateKey key;
  private final String keyId;

  private SnapshotSigner(PrivateKey key) {
    this.key = key;
    this.keyId = SigningKeys.keyId(SigningKeys.publicKeyOf(key));
  }

  /** The signer of the Ed25519 private key (PKCS#8 PEM) in {@code privateKeyFile}. */
  public static SnapshotSigner fromFile(Path privateKeyFile) {
    return new SnapshotSigner(SigningKeys.readPrivateKey(privateKeyFile));
  }

  /** The id of this signer's key, as written to {@code signingKeyId}. */
  public String keyId() {
    return keyId;
  }

  /**
   * Sets {@code snapshot}'s signature fields. Call it last: the signature covers everything else,
   * the checksum included, so the checksum must be set first.
   */
  public void sign(ModelSnapshot snapshot) {
    try {
      Signature signature = Signature.getInstance(SigningKeys.ALGORITHM);
      signature.initSign(key);
      signature.update(SnapshotEncoding.canonical(snapshot));
      snapshot.setSignature(ByteBuffer.wrap(signature.sign()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign snapshot " + snapshot.getModel(), e);
    }
    snapshot.setSigningKeyId(keyId);
  }
}
