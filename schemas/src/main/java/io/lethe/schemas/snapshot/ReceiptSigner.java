package io.lethe.schemas.snapshot;

import io.lethe.records.ErasureReceipt;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;

/**
 * Signs {@link ErasureReceipt}s with an Ed25519 private key (the same keys as {@link
 * SnapshotSigner}), so that whoever holds the public key can check a receipt with {@code lethe
 * verify-receipt}. Ed25519 signatures are deterministic: signing the same receipt twice gives the
 * same signature. Thread-safe.
 */
public final class ReceiptSigner {
  private final PrivateKey key;
  private final String keyId;

  private ReceiptSigner(PrivateKey key) {
    this.key = key;
    this.keyId = SigningKeys.keyId(SigningKeys.publicKeyOf(key));
  }

  /** The signer of the Ed25519 private key (PKCS#8 PEM) in {@code privateKeyFile}. */
  public static ReceiptSigner fromFile(Path privateKeyFile) {
    return new ReceiptSigner(SigningKeys.readPrivateKey(privateKeyFile));
  }

  /** The id of this signer's key, as written to {@code signingKeyId}. */
  public String keyId() {
    return keyId;
  }

  /** Sets {@code receipt}'s signature fields over everything else in it. */
  public void sign(ErasureReceipt receipt) {
    try {
      Signature signature = Signature.getInstance(SigningKeys.ALGORITHM);
      signature.initSign(key);
      signature.update(ReceiptEncoding.canonical(receipt));
      receipt.setSignature(ByteBuffer.wrap(signature.sign()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign receipt " + receipt.getRequestId(), e);
    }
    receipt.setSigningKeyId(keyId);
  }
}
