package io.lethe.schemas.snapshot;

import io.lethe.records.ModelSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * The canonical bytes of a {@link ModelSnapshot} that its checksum and its signature cover: the
 * Avro binary encoding under the snapshot schema without its signature fields.
 *
 * <p>Leaving the signature fields out (rather than encoding them as null) keeps every checksum what
 * it was before snapshots could be signed, so the snapshots already on a compacted {@code
 * lethe.models} topic still verify after an upgrade. The signature fields are the last ones of the
 * record, so the remaining fields keep their positions and the generated class writes under the
 * shorter schema.
 */
final class SnapshotEncoding {
  /** Fields that are not part of the canonical encoding. */
  static final Set<String> SIGNATURE_FIELDS = Set.of("signature", "signingKeyId");

  static final Schema CANONICAL = withoutSignatureFields(ModelSnapshot.getClassSchema());
  private static final SpecificDatumWriter<ModelSnapshot> WRITER =
      new SpecificDatumWriter<>(CANONICAL, fieldByField());

  private SnapshotEncoding() {}

  /** The canonical bytes of {@code snapshot} as it is (the caller blanks what must be blank). */
  static byte[] canonical(ModelSnapshot snapshot) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    write(snapshot, bytes);
    return bytes.toByteArray();
  }

  /** Writes the canonical bytes of {@code snapshot} as it is to {@code out}. */
  static void write(ModelSnapshot snapshot, OutputStream out) {
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    try {
      WRITER.write(snapshot, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode snapshot " + snapshot.getModel(), e);
    }
  }

  /**
   * Avro's generated custom coders (on when {@code org.apache.avro.specific.use_custom_coders} is
   * set) write every field of the class whatever the schema: off here, so the shorter schema
   * decides what is written.
   */
  private static SpecificData fieldByField() {
    SpecificData generated = SpecificData.getForClass(ModelSnapshot.class);
    SpecificData data = new SpecificData(ModelSnapshot.class.getClassLoader());
    generated.getConversions().forEach(data::addLogicalTypeConversion);
    data.setCustomCoders(false);
    return data;
  }

  private static Schema withoutSignatureFields(Schema full) {
    List<Schema.Field> fields = full.getFields();
    int kept = fields.size() - SIGNATURE_FIELDS.size();
    for (int i = 0; i < fields.size(); i++) {
      if (SIGNATURE_FIELDS.contains(fields.get(i).name()) != (i >= kept)) {
        throw new IllegalStateException(
            "the signature fields " + SIGNATURE_FIELDS + " must be the last of ModelSnapshot");
      }
    }
    List<Schema.Field> copies =
        fields.subList(0, kept).stream().map(f -> new Schema.Field(f, f.schema())).toList();
    return Schema.createRecord(
        full.getName(), full.getDoc(), full.getNamespace(), full.isError(), copies);
  }
}
