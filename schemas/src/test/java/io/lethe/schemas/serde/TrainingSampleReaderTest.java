package io.lethe.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.records.TrainingSample;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/** {@link TrainingSampleReader} reads exactly what Avro's own reader reads, without boxing. */
class TrainingSampleReaderTest {
  private final TrainingSampleReader reader = new TrainingSampleReader();
  private final Random random = new Random(42);

  @Test
  void shouldReadWhatAvrosReaderReadsInOneBlockAndInMany() throws IOException {
    List<TrainingSample> samples =
        List.of(
            sample(784, Map.of("source", "test", "region", "eu")),
            sample(784, null),
            sample(0, Map.of()),
            sample(10_000, null), // beyond the reader's initial capacity
            sample(3, Map.of("ünïcode", "välue")));
    for (TrainingSample sample : samples) {
      if (sample.getFeatures().size() > 100) { // the blocked encoding really has several blocks
        assertThat(encode(sample, true)).isNotEqualTo(encode(sample, false));
      }
      for (boolean blocked : new boolean[] {false, true}) {
        byte[] bytes = encode(sample, blocked);
        TrainingSample read = reader.read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        TrainingSample avros =
            new SpecificDatumReader<>(TrainingSample.class)
                .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        assertThat(read).isEqualTo(avros).isEqualTo(sample);
        assertThat(read.getFeatures()).isInstanceOf(FloatList.class);
      }
    }
  }

  @Test
  void shouldKeepNonFiniteFeaturesForTheValidatorToReject() throws IOException {
    TrainingSample sample = sample(4, null);
    sample.setFeatures(List.of(Float.NaN, Float.POSITIVE_INFINITY, -0.0f, Float.MIN_VALUE));
    TrainingSample read =
        reader.read(null, DecoderFactory.get().binaryDecoder(encode(sample, false), null));
    FloatList features = (FloatList) read.getFeatures();
    assertThat(features.getFloat(0)).isNaN();
    assertThat(features.getFloat(1)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(Float.floatToRawIntBits(features.getFloat(2)))
        .isEqualTo(Float.floatToRawIntBits(-0.0f));
    assertThat(features.getFloat(3)).isEqualTo(Float.MIN_VALUE);
  }

  @Test
  void shouldFailOnTruncatedBytes() throws IOException {
    byte[] bytes = encode(sample(784, null), false);
    byte[] truncated = Arrays.copyOf(bytes, bytes.length - 100);
    assertThatThrownBy(() -> reader.read(null, DecoderFactory.get().binaryDecoder(truncated, null)))
        .isInstanceOf(EOFException.class);
  }

  @Test
  void shouldFailOnABlockCountLargerThanTheBytesWithoutAllocatingIt() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    for (String text : List.of("s-1", "u-1", "fashion-mnist", "0")) {
      encoder.writeString(text);
    }
    encoder.writeArrayStart();
    encoder.setItemCount(500_000_000L); // 2 GB of floats announced, 8 bytes present
    encoder.writeFloat(1f);
    encoder.writeFloat(2f);
    encoder.flush();
    byte[] corrupt = out.toByteArray();
    assertThatThrownBy(() -> reader.read(null, DecoderFactory.get().binaryDecoder(corrupt, null)))
        .isInstanceOf(EOFException.class);
  }

  @Test
  void shouldRefuseAnotherSchema() {
    Schema other = SchemaBuilder.record("TrainingSample").fields().endRecord();
    assertThatThrownBy(() -> reader.setSchema(other))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("TrainingSampleReader reads only TrainingSample's own schema");
    reader.setSchema(TrainingSample.getClassSchema());
  }

  private TrainingSample sample(int features, Map<String, String> attributes) {
    List<Float> values = new ArrayList<>(features);
    for (int i = 0; i < features; i++) {
      values.add(random.nextFloat() * 2 - 1);
    }
    return TrainingSample.newBuilder()
        .setSampleId("sample-" + random.nextInt(1000))
        .setSubjectId("subject-" + random.nextInt(100))
        .setDataset("fashion-mnist")
        .setTask(Integer.toString(random.nextInt(5)))
        .setFeatures(values)
        .setLabel(random.nextInt(10))
        .setEventTime(Instant.ofEpochMilli(1_790_000_000_000L + random.nextInt(1_000_000)))
        .setAttributes(attributes)
        .build();
  }

  /** Avro's binary encoding; {@code blocked} splits arrays and maps into blocks of at most 64 B. */
  private static byte[] encode(TrainingSample sample, boolean blocked) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder =
        blocked
            ? new EncoderFactory().configureBlockSize(64).blockingBinaryEncoder(out, null)
            : EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<>(TrainingSample.class).write(sample, encoder);
    encoder.flush();
    return out.toByteArray();
  }
}
