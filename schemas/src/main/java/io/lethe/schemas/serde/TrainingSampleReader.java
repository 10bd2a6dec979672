package io.lethe.schemas.serde;

import io.lethe.records.TrainingSample;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.SystemLimitException;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.Decoder;

/**
 * Reads a {@link TrainingSample} written with {@link TrainingSample}'s own schema straight from the
 * binary encoding, its features into a {@link FloatList} (a {@code float[]}), not boxed.
 *
 * <p>Why: Avro's readers box every array element: 784 {@code Float} objects and an array of
 * references for a Fashion-MNIST sample, all copied again into a {@code float[]}. In {@code lethe
 * bench-job} that decoding took most of the source thread's CPU (Java Flight Recorder: Avro's
 * {@code AbstractList.add}, {@code GenericData.Array.clear} and {@code readFloat}), several times
 * what the same decoding costs in isolation (docs/benchmarks.md#feature-codecs). This reader does
 * no schema resolution, so {@link SpecificAvroDeserializer} uses it only when the writer's schema
 * equals the reader's; any other writer schema goes through Avro's resolving reader. Stateless and
 * thread-safe.
 */
public final class TrainingSampleReader implements DatumReader<TrainingSample> {
  /**
   * The fields this reader decodes, in order, with their schemas in Avro's parsing canonical form
   * (the binary layout, without docs and properties). The constructor checks them against the
   * generated class, so a change to {@code TrainingSample.avsc} fails here, not by misreading
   * bytes.
   */
  private static final List<String> LAYOUT =
      List.of(
          "sampleId \"string\"",
          "subjectId \"string\"",
          "dataset \"string\"",
          "task \"string\"",
          "features {\"type\":\"array\",\"items\":\"float\"}",
          "label \"int\"",
          "eventTime \"long\"",
          "attributes [\"null\",{\"type\":\"map\",\"values\":\"string\"}]");

  private static final int NULL_BRANCH = 0;
  private static final int MAP_BRANCH = 1;

  /** The most floats read and converted at once. */
  private static final int CHUNK = 4096;

  /**
   * @throws IllegalStateException if {@link TrainingSample}'s schema no longer has the layout this
   *     reader decodes, naming the first field that differs
   */
  public TrainingSampleReader() {
    Schema schema = TrainingSample.getClassSchema();
    List<Schema.Field> fields = schema.getFields();
    for (int i = 0; i < Math.max(fields.size(), LAYOUT.size()); i++) {
      String actual = i < fields.size() ? describe(fields.get(i)) : "(none)";
      String expected = i < LAYOUT.size() ? LAYOUT.get(i) : "(none)";
      if (!actual.equals(expected)) {
        throw new IllegalStateException(
            "TrainingSampleReader no longer matches TrainingSample.avsc: field "
                + i
                + " is "
                + actual
                + ", the reader expects "
                + expected);
      }
    }
  }

  private static String describe(Schema.Field field) {
    return field.name() + " " + SchemaNormalization.toParsingForm(field.schema());
  }

  @Override
  public void setSchema(Schema schema) {
    if (!schema.equals(TrainingSample.getClassSchema())) {
      throw new IllegalArgumentException(
          "TrainingSampleReader reads only TrainingSample's own schema, not " + schema);
    }
  }

  @Override
  public TrainingSample read(TrainingSample reuse, Decoder in) throws IOException {
    String sampleId = in.readString();
    String subjectId = in.readString();
    String dataset = in.readString();
    String task = in.readString();
    FloatList features = readFloats(in);
    int label = in.readInt();
    Instant eventTime = Instant.ofEpochMilli(in.readLong());
    Map<String, String> attributes = readAttributes(in);
    return new TrainingSample(
        sampleId, subjectId, dataset, task, features, label, eventTime, attributes);
  }

  /**
   * An {@code array<float>}: blocks of little-endian floats, each block read as bytes and converted
   * in bulk. It reads at most {@value #CHUNK} floats at a time, so a corrupt block count cannot
   * make it allocate more than the bytes that are there.
   */
  private static FloatList readFloats(Decoder in) throws IOException {
    float[] values = new float[0];
    int size = 0;
    byte[] bytes = null;
    for (long count = in.readArrayStart(); count > 0; count = in.arrayNext()) {
      SystemLimitException.checkMaxCollectionLength(size, count);
      for (long left = count; left > 0; ) {
        int chunk = (int) Math.min(left, CHUNK);
        if (bytes == null || bytes.length < chunk * Float.BYTES) {
          bytes = new byte[chunk * Float.BYTES];
        }
        in.readFixed(bytes, 0, chunk * Float.BYTES);
        if (values.length < size + chunk) {
          values = Arrays.copyOf(values, Math.max(size + chunk, 2 * size));
        }
        ByteBuffer.wrap(bytes, 0, chunk * Float.BYTES)
            .order(ByteOrder.LITTLE_ENDIAN)
            .asFloatBuffer()
            .get(values, size, chunk);
        size += chunk;
        left -= chunk;
      }
    }
    return new FloatList(size == values.length ? values : Arrays.copyOf(values, size));
  }

  private static Map<String, String> readAttributes(Decoder in) throws IOException {
    int branch = in.readIndex();
    if (branch == NULL_BRANCH) {
      in.readNull();
      return null;
    }
    if (branch != MAP_BRANCH) {
      throw new AvroTypeException("attributes: union branch " + branch + " does not exist");
    }
    Map<String, String> attributes = new HashMap<>();
    for (long count = in.readMapStart(); count > 0; count = in.mapNext()) {
      SystemLimitException.checkMaxCollectionLength(attributes.size(), count);
      for (long i = 0; i < count; i++) {
        attributes.put(in.readString(), in.readString());
      }
    }
    return attributes;
  }
}
