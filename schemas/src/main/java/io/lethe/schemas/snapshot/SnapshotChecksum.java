package io.lethe.schemas.snapshot;

import io.lethe.records.ModelSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * The checksum of a {@link ModelSnapshot}: lower-case hex SHA-256 of the record's Avro binary
 * encoding with its {@code checksum} field set to the empty string, as the schema documents.
 */
public final class SnapshotChecksum {
  private static final SpecificDatumWriter<ModelSnapshot> WRITER =
      new SpecificDatumWriter<>(ModelSnapshot.class);

  private SnapshotChecksum() {}

  /** Computes the checksum without modifying {@code snapshot}. */
  public static String compute(ModelSnapshot snapshot) {
    ModelSnapshot blanked = ModelSnapshot.newBuilder(snapshot).setChecksum("").build();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
    try {
      WRITER.write(blanked, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode snapshot " + snapshot.getModel(), e);
    }
    return HexFormat.of().formatHex(sha256().digest(bytes.toByteArray()));
  }

  /** Whether the snapshot's {@code checksum} field matches its content. */
  public static boolean verify(ModelSnapshot snapshot) {
    String stored = snapshot.getChecksum();
    return stored != null
        && MessageDigest.isEqual(
            stored.getBytes(StandardCharsets.US_ASCII),
            compute(snapshot).getBytes(StandardCharsets.US_ASCII));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
