package io.lethe.schemas.snapshot;

import io.lethe.records.ErasureReceipt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * The canonical bytes of an {@link ErasureReceipt} that its signature covers: the Avro binary
 * encoding under the receipt schema without its signature fields, as {@link SnapshotEncoding} does
 * for snapshots.
 */
final class ReceiptEncoding {
  static final Schema CANONICAL = withoutSignatureFields(ErasureReceipt.getClassSchema());
  private static final SpecificDatumWriter<ErasureReceipt> WRITER =
      new SpecificDatumWriter<>(CANONICAL, fieldByField());

  private ReceiptEncoding() {}

  static byte[] canonical(ErasureReceipt receipt) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
    try {
      WRITER.write(receipt, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode receipt " + receipt.getRequestId(), e);
    }
    return bytes.toByteArray();
  }

  /** Custom coders off, so the shorter schema decides what is written (see SnapshotEncoding). */
  private static SpecificData fieldByField() {
    SpecificData generated = SpecificData.getForClass(ErasureReceipt.class);
    SpecificData data = new SpecificData(ErasureReceipt.class.getClassLoader());
    generated.getConversions().forEach(data::addLogicalTypeConversion);
    data.setCustomCoders(false);
    return data;
  }

  private static Schema withoutSignatureFields(Schema full) {
    List<Schema.Field> fields = full.getFields();
    int kept = fields.size() - SnapshotEncoding.SIGNATURE_FIELDS.size();
    for (int i = 0; i < fields.size(); i++) {
      if (SnapshotEncoding.SIGNATURE_FIELDS.contains(fields.get(i).name()) != (i >= kept)) {
        throw new IllegalStateException(
            "the signature fields "
                + SnapshotEncoding.SIGNATURE_FIELDS
                + " must be the last of ErasureReceipt");
      }
    }
    List<Schema.Field> copies =
        fields.subList(0, kept).stream().map(f -> new Schema.Field(f, f.schema())).toList();
    return Schema.createRecord(
        full.getName(), full.getDoc(), full.getNamespace(), full.isError(), copies);
  }
}
