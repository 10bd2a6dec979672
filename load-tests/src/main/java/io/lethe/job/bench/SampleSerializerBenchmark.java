package io.lethe.job.bench;

import io.lethe.local.registry.EmbeddedSchemaRegistry;
import io.lethe.records.TrainingSample;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.schemas.serde.BulkFloatDatumWriter;
import io.lethe.schemas.serde.ConfluentWireFormat;
import io.lethe.schemas.serde.SpecificAvroSerializer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a producer (a client of {@code lethe.samples}, or the ingress) pays to serialize one
 * 784-feature training sample with {@link SpecificAvroSerializer}, against the floor: Avro's {@link
 * SpecificDatumWriter} and the five-byte Confluent header alone, measured in the same run. The
 * difference is what the serializer adds per record on top of encoding: finding the schema's id
 * (cached by the registry client after the first record) and its output buffer.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SampleSerializerBenchmark {
  private static final String TOPIC = "lethe.samples";

  private EmbeddedSchemaRegistry registry;
  private SchemaRegistryClient client;
  private SpecificAvroSerializer<TrainingSample> serializer;
  private TrainingSample sample;
  private final SpecificDatumWriter<TrainingSample> writer =
      new SpecificDatumWriter<>(TrainingSample.class);
  private final BulkFloatDatumWriter<TrainingSample> bulkWriter =
      new BulkFloatDatumWriter<>(TrainingSample.getClassSchema());
  private final ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
  private BinaryEncoder encoder;

  @Setup
  public void setUp() {
    registry = EmbeddedSchemaRegistry.startInMemory();
    client = SchemaRegistryClient.create(registry.url());
    serializer = new SpecificAvroSerializer<>(client, true, false);
    sample = FeatureCodecBenchmark.sample();
    serializer.serialize(TOPIC, sample); // registers the schema once
  }

  @TearDown
  public void tearDown() {
    serializer.close();
    client.close();
    registry.close();
  }

  /** Baseline: the header and Avro's writer into a reused buffer. */
  @Benchmark
  public byte[] datumWriter() throws IOException {
    return encode(writer);
  }

  private byte[] encode(DatumWriter<TrainingSample> writer) throws IOException {
    out.reset();
    // magic byte 0, then the schema id, big-endian
    out.writeBytes(
        ByteBuffer.allocate(ConfluentWireFormat.HEADER_SIZE).put((byte) 0).putInt(1).array());
    encoder = EncoderFactory.get().directBinaryEncoder(out, encoder);
    writer.write(sample, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  /** The writer the serializer uses, into a reused buffer as the baseline. */
  @Benchmark
  public byte[] bulkDatumWriter() throws IOException {
    return encode(bulkWriter);
  }

  /** Lethe's serializer, as a Kafka producer calls it. */
  @Benchmark
  public byte[] serializer() {
    return serializer.serialize(TOPIC, sample);
  }
}
