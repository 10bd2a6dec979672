package io.lethe.schemas.snapshot;

import io.lethe.records.ModelSnapshot;
import java.nio.charset.StandardCharsets;
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
    ModelSnapshot blanked = ModelSnapshot.newBuilder(snapshot).setChecksum("").build();
    return HexFormat.of().formatHex(sha256().digest(SnapshotEncoding.canonical(blanked)));
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
