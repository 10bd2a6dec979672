package io.lethe.schemas.snapshot;

import io.lethe.records.ModelSnapshot;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The checksum of a {@link ModelSnapshot}: lower-case hex SHA-256 of the record's Avro binary
 * encoding with its {@code checksum} field set to the empty string, as the schema documents. The
 * signature fields are not part of that encoding ({@link SnapshotEncoding}), so signing a snapshot
 * does not change its checksum.
 */
public final class SnapshotChecksum {
  private SnapshotChecksum() {}

  /** Computes the checksum without modifying {@code snapshot}. */
  public static String compute(ModelSnapshot snapshot) {
    // a shallow copy with the checksum blanked, encoded straight into the digest: the tensors
    // are neither copied nor encoded into an array first (a snapshot at d_E 2048 is 160 KB)
    ModelSnapshot blanked = new ModelSnapshot();
    for (int field = 0; field < ModelSnapshot.getClassSchema().getFields().size(); field++) {
      blanked.put(field, snapshot.get(field));
    }
    blanked.setChecksum("");
    MessageDigest digest = sha256();
    SnapshotEncoding.write(
        blanked, new DigestOutputStream(OutputStream.nullOutputStream(), digest));
    return HexFormat.of().formatHex(digest.digest());
  }

  /** Whether the snapshot's {@code checksum} field matches its content. */
  public static boolean verify(ModelSnapshot snapshot) {
    String stored = snapshot.getChecksum();
    return stored != null
        && MessageDigest.isEqual(
            stored.getBytes(StandardCharsets.US_ASCII),
            compute(snapshot).getBytes(StandardCharsets.US_ASCII));
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
