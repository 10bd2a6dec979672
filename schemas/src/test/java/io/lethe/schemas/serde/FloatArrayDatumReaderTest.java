package io.lethe.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.records.TrainingSample;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.PrimitivesArrays;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/** Float arrays decode into primitive lists with the same values and Avro's schema resolution. */
class FloatArrayDatumReaderTest {
  private static final Schema SCHEMA = TrainingSample.getClassSchema();

  @Test
  void shouldDecodeFeaturesIntoAPrimitiveListWithEveryOtherFieldIntact() throws IOException {
    TrainingSample sample = sample(List.of(0.5f, -1.25f, 3e-7f, Float.MAX_VALUE, 0f));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
    new SpecificDatumWriter<>(TrainingSample.class).write(sample, encoder);
    encoder.flush();

    TrainingSample read = decode(bytes.toByteArray(), SCHEMA);

    assertThat(read).isEqualTo(sample);
    assertThat(read.getFeatures()).isInstanceOf(PrimitivesArrays.FloatArray.class);
    assertThat(FloatLists.toArray(read.getFeatures()))
        .containsExactly(0.5f, -1.25f, 3e-7f, Float.MAX_VALUE, 0f);
    assertThat(read.getEventTime()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_123L));
  }

  @Test
  void shouldReadAnArrayWrittenInManyBlocks() throws IOException {
    List<Float> features = new ArrayList<>();
    for (int i = 0; i < 784; i++) {
      features.add(i / 255f);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    // A 64-byte block size splits the 784 floats into dozens of blocks.
    BinaryEncoder encoder =
        new EncoderFactory().configureBlockSize(64).blockingBinaryEncoder(bytes, null);
    new SpecificDatumWriter<>(TrainingSample.class).write(sample(features), encoder);
    encoder.flush();

    assertThat(decode(bytes.toByteArray(), SCHEMA).getFeatures()).isEqualTo(features);
  }

  @Test
  void shouldPromoteAWritersIntFeaturesToFloats() throws IOException {
    Schema writer =
        new Schema.Parser()
            .parse(SCHEMA.toString().replace("\"items\":\"float\"", "\"items\":\"int\""));
    assertThat(writer.getField("features").schema().getElementType().getType())
        .isEqualTo(Schema.Type.INT);
    GenericRecord record = new GenericData.Record(writer);
    record.put("sampleId", "s-1");
    record.put("subjectId", "u-1");
    record.put("dataset", "fashion-mnist");
    record.put("task", "0");
    record.put("features", List.of(0, 7, -3, 255));
    record.put("label", 4);
    record.put("eventTime", 1_700_000_000_123L);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
    new GenericDatumWriter<GenericRecord>(writer).write(record, encoder);
    encoder.flush();

    TrainingSample read = decode(bytes.toByteArray(), writer);

    assertThat(FloatLists.toArray(read.getFeatures())).containsExactly(0f, 7f, -3f, 255f);
    assertThat(read.getLabel()).isEqualTo(4);
  }

  @Test
  void shouldFailOnABlockCountLargerThanThePayload() throws IOException {
    TrainingSample sample = sample(List.of(1f));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
    new SpecificDatumWriter<>(TrainingSample.class).write(sample, encoder);
    encoder.flush();
    byte[] payload = bytes.toByteArray();
    // Ids and names come first; the feature block count (zig-zag 2 for one element) follows.
    int countAt = indexOfFeatureCount(payload, sample);
    byte[] corrupt = new byte[payload.length + 4];
    System.arraycopy(payload, 0, corrupt, 0, countAt);
    // zig-zag varint of 2^27 elements, far more than the bytes that follow
    corrupt[countAt] = (byte) 0x80;
    corrupt[countAt + 1] = (byte) 0x80;
    corrupt[countAt + 2] = (byte) 0x80;
    corrupt[countAt + 3] = (byte) 0x80;
    corrupt[countAt + 4] = 0x01;
    System.arraycopy(payload, countAt + 1, corrupt, countAt + 5, payload.length - countAt - 1);

    assertThatThrownBy(() -> decode(corrupt, SCHEMA)).isInstanceOf(IOException.class);
  }

  @Test
  void shouldReadPlainListsElementByElement() {
    List<Float> boxed = Arrays.asList(1f, Float.NaN, null);
    assertThat(FloatLists.toArray(boxed.subList(0, 2))).containsExactly(1f, Float.NaN);
    assertThat(FloatLists.firstNonFinite(boxed)).isEqualTo(1);
    assertThat(FloatLists.firstNonFinite(Arrays.asList(1f, null))).isEqualTo(1);
    assertThat(FloatLists.firstNonFinite(List.of(1f, 2f))).isEqualTo(-1);
    assertThatThrownBy(() -> FloatLists.toArray(boxed)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void shouldFindNonFiniteValuesInAPrimitiveList() {
    PrimitivesArrays.FloatArray floats =
        new PrimitivesArrays.FloatArray(SCHEMA.getField("features").schema(), List.of(1f, 2f));
    assertThat(FloatLists.firstNonFinite(floats)).isEqualTo(-1);
    floats.add(2, Float.NEGATIVE_INFINITY);
    assertThat(FloatLists.firstNonFinite(floats)).isEqualTo(2);
  }

  private static TrainingSample decode(byte[] bytes, Schema writer) throws IOException {
    return new FloatArrayDatumReader<>(writer, SCHEMA, TrainingSample.class)
        .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
  }

  private static TrainingSample sample(List<Float> features) {
    return TrainingSample.newBuilder()
        .setSampleId("s-1")
        .setSubjectId("u-1")
        .setDataset("fashion-mnist")
        .setTask("0")
        .setFeatures(features)
        .setLabel(4)
        .setEventTime(Instant.ofEpochMilli(1_700_000_000_123L))
        .setAttributes(Map.of("source", "test"))
        .build();
  }

  /** Where the features' block count sits: after the four length-prefixed strings. */
  private static int indexOfFeatureCount(byte[] payload, TrainingSample sample) {
    int at = 0;
    for (String text :
        List.of(
            sample.getSampleId(), sample.getSubjectId(), sample.getDataset(), sample.getTask())) {
      assertThat(payload[at]).isEqualTo((byte) (2 * text.length()));
      at += 1 + text.length();
    }
    assertThat(payload[at]).isEqualTo((byte) 2);
    return at;
  }
}
