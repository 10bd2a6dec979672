package io.lethe.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.records.TrainingSample;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/** {@link BulkFloatDatumWriter} writes exactly the bytes Avro's own writer writes. */
class BulkFloatDatumWriterTest {
  private final Random random = new Random(7);

  private static final List<Function<ByteArrayOutputStream, Encoder>> ENCODERS =
      List.of(
          out -> EncoderFactory.get().directBinaryEncoder(out, null),
          out -> EncoderFactory.get().binaryEncoder(out, null),
          // blocking encoders count items themselves: Avro's own path
          out -> new EncoderFactory().configureBlockSize(64).blockingBinaryEncoder(out, null),
          out -> EncoderFactory.get().blockingDirectBinaryEncoder(out, null),
          out -> json(out));

  @Test
  void shouldWriteTheBytesAvrosWriterWritesForEveryEncoder() throws IOException {
    for (int features : new int[] {0, 1, 784, 10_000}) {
      for (boolean floatList : new boolean[] {false, true}) {
        TrainingSample sample = sample(features, floatList);
        for (Function<ByteArrayOutputStream, Encoder> encoder : ENCODERS) {
          assertThat(encode(new BulkFloatDatumWriter<>(sample.getSchema()), sample, encoder))
              .as("%d features, FloatList %s", features, floatList)
              .isEqualTo(encode(new SpecificDatumWriter<>(TrainingSample.class), sample, encoder));
        }
      }
    }
  }

  @Test
  void shouldWriteAnyListOfFloats() throws IOException {
    TrainingSample sample = sample(50, false);
    byte[] expected =
        encode(new SpecificDatumWriter<>(TrainingSample.class), sample, ENCODERS.get(0));
    sample.setFeatures(new LinkedList<>(sample.getFeatures()));
    assertThat(encode(new BulkFloatDatumWriter<>(sample.getSchema()), sample, ENCODERS.get(0)))
        .isEqualTo(expected);
  }

  @Test
  void shouldRefuseANullFeatureNamingItsPositionOnTheBulkPath() {
    TrainingSample sample = sample(3, false);
    sample.setFeatures(Arrays.asList(0.5f, null, 1f));
    // the message is the bulk path's own: the direct and the buffered encoder take it
    for (Function<ByteArrayOutputStream, Encoder> encoder : ENCODERS.subList(0, 2)) {
      assertThatThrownBy(
              () -> encode(new BulkFloatDatumWriter<>(sample.getSchema()), sample, encoder))
          .isInstanceOf(AvroRuntimeException.class)
          .hasMessage("array<float> element 1 is null, not a float");
    }
  }

  private TrainingSample sample(int features, boolean floatList) {
    float[] values = new float[features];
    for (int i = 0; i < features; i++) {
      values[i] = random.nextFloat() * 2 - 1;
    }
    if (features > 2) {
      values[0] = Float.NaN;
      values[1] = -0.0f;
    }
    List<Float> list = new FloatList(values);
    return TrainingSample.newBuilder()
        .setSampleId("s-" + features)
        .setSubjectId("u-1")
        .setDataset("fashion-mnist")
        .setTask("0")
        .setFeatures(floatList ? list : new ArrayList<>(list))
        .setLabel(3)
        .setEventTime(Instant.ofEpochMilli(1_790_000_000_000L))
        .setAttributes(features == 1 ? Map.of("source", "test") : null)
        .build();
  }

  private static byte[] encode(
      DatumWriter<TrainingSample> writer,
      TrainingSample sample,
      Function<ByteArrayOutputStream, Encoder> encoders)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Encoder encoder = encoders.apply(out);
    writer.write(sample, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  private static Encoder json(ByteArrayOutputStream out) {
    try {
      return EncoderFactory.get().jsonEncoder(TrainingSample.getClassSchema(), out);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
