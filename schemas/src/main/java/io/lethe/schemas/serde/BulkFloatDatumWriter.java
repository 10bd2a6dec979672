package io.lethe.schemas.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BufferedBinaryEncoder;
import org.apache.avro.io.DirectBinaryEncoder;
import org.apache.avro.io.Encoder;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Avro's {@link SpecificDatumWriter}, except that an {@code array<float>} (a sample's features) is
 * written as one block of little-endian bytes converted in bulk, instead of one {@code writeFloat}
 * call per boxed element: the same bytes, a fraction of the time ({@code
 * SampleSerializerBenchmark}, docs/benchmarks.md#sample-serializer).
 *
 * <p>The bulk path is taken only for Avro's plain binary encoders ({@link DirectBinaryEncoder},
 * {@link BufferedBinaryEncoder}), whose array encoding is the item count, the items, then 0. Any
 * other encoder (JSON, validating, or a blocking one that counts items itself) goes through Avro's
 * own writer. Thread-safe, as Avro's writer is.
 */
public final class BulkFloatDatumWriter<T> extends SpecificDatumWriter<T> {
  /** A writer for records of {@code schema}. */
  public BulkFloatDatumWriter(Schema schema) {
    super(schema);
  }

  @Override
  protected void writeArray(Schema schema, Object datum, Encoder out) throws IOException {
    Class<?> encoder = out.getClass();
    boolean plainBinary =
        encoder == DirectBinaryEncoder.class || encoder == BufferedBinaryEncoder.class;
    if (!plainBinary
        || schema.getElementType().getType() != Schema.Type.FLOAT
        || !(datum instanceof List<?> values)) {
      super.writeArray(schema, datum, out);
      return;
    }
    byte[] bytes = littleEndian(values);
    out.writeArrayStart();
    out.setItemCount(values.size());
    out.writeFixed(bytes);
    out.writeArrayEnd();
  }

  /** The floats of {@code values} as little-endian bytes, as Avro writes each float. */
  private static byte[] littleEndian(List<?> values) {
    ByteBuffer bytes =
        ByteBuffer.allocate(Math.multiplyExact(values.size(), Float.BYTES))
            .order(ByteOrder.LITTLE_ENDIAN);
    FloatBuffer floats = bytes.asFloatBuffer();
    if (values instanceof FloatList list) {
      floats.put(list.array());
    } else {
      int index = 0;
      for (Object element : values) {
        if (!(element instanceof Float value)) {
          throw new AvroRuntimeException(
              "array<float> element " + index + " is " + element + ", not a float");
        }
        floats.put(value);
        index++;
      }
    }
    return bytes.array();
  }
}
