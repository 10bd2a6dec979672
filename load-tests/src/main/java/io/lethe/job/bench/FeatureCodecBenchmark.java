package io.lethe.job.bench;

import io.lethe.job.events.FloatVectorSerializer;
import io.lethe.job.events.PackedVectorSerializer;
import io.lethe.learners.data.FashionMnist;
import io.lethe.records.TrainingSample;
import io.lethe.schemas.serde.FloatList;
import io.lethe.schemas.serde.TrainingSampleReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.array.FloatPrimitiveArraySerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one 784-feature training sample costs the job's codecs:
 *
 * <ul>
 *   <li>decoding the Avro record and getting its features as a {@code float[]}, as {@code
 *       DecodeSamples} does: Avro's {@link SpecificDatumReader}, which boxes each feature, as the
 *       baseline, against {@link TrainingSampleReader}, which {@code SpecificAvroDeserializer} uses
 *       for samples written with the reader's own schema;
 *   <li>serializing and deserializing the {@code float[]} once (the job serializes it three times:
 *       to the ledger, into its RocksDB state, to the learner; and deserializes it twice): Flink's
 *       {@link FloatPrimitiveArraySerializer} as the baseline against the job's {@link
 *       FloatVectorSerializer}, measured in the same run;
 *   <li>the ledger's state serializer, {@link PackedVectorSerializer}, on Fashion-MNIST images,
 *       against the bulk serializer on the same images.
 * </ul>
 *
 * <p>A reader that skipped the boxing through Avro's own machinery ({@code array<float>} into
 * Avro's primitive {@code FloatArray} through its resolving decoder, with Avro's fast reader off)
 * was tried here and was slower than Avro's boxing reader (every element then goes through the
 * resolving grammar), so it is not in the code.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FeatureCodecBenchmark {
  private static final int FEATURES = 784;
  private static final int IMAGES = 1024;

  private byte[] avro;
  private float[] features;
  private SpecificDatumReader<TrainingSample> avroReader;
  private final TrainingSampleReader sampleReader = new TrainingSampleReader();
  private BinaryDecoder decoder;
  private final TypeSerializer<float[]> flinkSerializer = FloatPrimitiveArraySerializer.INSTANCE;
  private final TypeSerializer<float[]> bulkSerializer = new FloatVectorSerializer();
  private final TypeSerializer<float[]> packedSerializer = new PackedVectorSerializer();
  private float[][] images;
  private int nextImage;
  private final DataOutputSerializer out = new DataOutputSerializer(4096);
  private final DataInputDeserializer in = new DataInputDeserializer();

  /**
   * The benchmarks' sample: 784 features with pixel-like values (multiples of 1/255), boxed as a
   * producer builds them.
   */
  static TrainingSample sample() {
    List<Float> boxed = new ArrayList<>();
    for (int i = 0; i < FEATURES; i++) {
      boxed.add((i * 37 % 256) / 255f);
    }
    return TrainingSample.newBuilder()
        .setSampleId("s-12345")
        .setSubjectId("u-345")
        .setDataset("fashion-mnist")
        .setTask("2")
        .setFeatures(boxed)
        .setLabel(4)
        .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L))
        .setAttributes(null)
        .build();
  }

  @Setup
  public void setUp() throws IOException {
    TrainingSample sample = sample();
    features = new float[FEATURES];
    for (int i = 0; i < FEATURES; i++) {
      features[i] = sample.getFeatures().get(i);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
    new SpecificDatumWriter<>(TrainingSample.class).write(sample, encoder);
    encoder.flush();
    avro = bytes.toByteArray();
    avroReader = new SpecificDatumReader<>(TrainingSample.class);
    float[][] train = FashionMnist.load().train().features();
    images = Arrays.copyOf(train, IMAGES);
  }

  /** Baseline: Avro's reader, then the boxed list copied into a {@code float[]}. */
  @Benchmark
  public float[] decode() throws IOException {
    decoder = DecoderFactory.get().binaryDecoder(avro, decoder);
    List<Float> values = avroReader.read(null, decoder).getFeatures();
    float[] array = new float[values.size()];
    for (int i = 0; i < array.length; i++) {
      array[i] = values.get(i);
    }
    return array;
  }

  /** Lethe's sample reader, whose features are a {@code float[]} already (as in the job). */
  @Benchmark
  public float[] decodeUnboxed() throws IOException {
    decoder = DecoderFactory.get().binaryDecoder(avro, decoder);
    return ((FloatList) sampleReader.read(null, decoder).getFeatures()).array();
  }

  /** Baseline: Flink's {@code float[]} serializer, one round trip. */
  @Benchmark
  public float[] roundTripWithFlinksSerializer() throws IOException {
    return roundTrip(flinkSerializer);
  }

  /** The job's bulk serializer, one round trip. */
  @Benchmark
  public float[] roundTripWithBulkSerializer() throws IOException {
    return roundTrip(bulkSerializer);
  }

  /**
   * Baseline for the ledger's state: the bulk serializer, one round trip of a Fashion-MNIST image
   * (the next of {@value #IMAGES}).
   */
  @Benchmark
  public float[] roundTripImageWithBulkSerializer() throws IOException {
    return roundTrip(bulkSerializer, nextImage());
  }

  /** The ledger's state serializer, one round trip of a Fashion-MNIST image. */
  @Benchmark
  public float[] roundTripImageWithPackedSerializer() throws IOException {
    return roundTrip(packedSerializer, nextImage());
  }

  private float[] nextImage() {
    nextImage = (nextImage + 1) % images.length;
    return images[nextImage];
  }

  private float[] roundTrip(TypeSerializer<float[]> serializer) throws IOException {
    return roundTrip(serializer, features);
  }

  private float[] roundTrip(TypeSerializer<float[]> serializer, float[] vector) throws IOException {
    out.clear();
    serializer.serialize(vector, out);
    in.setBuffer(out.getSharedBuffer(), 0, out.length());
    return serializer.deserialize(in);
  }
}
