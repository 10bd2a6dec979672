package io.lethe.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.local.registry.EmbeddedSchemaRegistry;
import io.lethe.records.DeadLetter;
import io.lethe.schemas.registry.RegistryException;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.schemas.topics.LetheTopics;
import io.lethe.schemas.topics.TopicNames;
import io.lethe.validation.DeadLetterEnvelope;
import io.lethe.validation.DeadLetterHeaders;
import io.lethe.validation.Rejection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ingress's Kafka Streams exception handlers and thread-failure policy: record faults become
 * dead letters in Lethe's envelope, infrastructure faults fail, and a thread that keeps dying shuts
 * the client down.
 */
class IngressErrorHandlersTest {
  private static final byte[] KEY = "u-1".getBytes(StandardCharsets.UTF_8);
  private static final int MAX_CARRIED = 1_000;

  private static EmbeddedSchemaRegistry registryServer;
  private static SchemaRegistryClient registry;
  private static LetheTopics topics;
  private static Map<String, Object> configs;

  @BeforeAll
  static void startRegistry() throws Exception {
    registryServer = EmbeddedSchemaRegistry.startInMemory();
    registry = SchemaRegistryClient.create(registryServer.url());
    topics = LetheTopics.create(TopicNames.defaults(), registry);
    configs =
        Map.of(
            IngressErrorHandlers.DEAD_LETTER_SERIALIZER,
            topics.deadLetter().valueSerde().serializer(),
            IngressErrorHandlers.DEAD_LETTER_TOPIC,
            topics.deadLetter().name(),
            IngressErrorHandlers.MAX_CARRIED_BYTES,
            MAX_CARRIED);
  }

  @AfterAll
  static void stopRegistry() {
    registry.close();
    registryServer.close();
  }

  @Test
  void shouldDeadLetterTheInputWhoseOutputKafkaRefusesAsTooLarge() {
    byte[] value = new byte[MAX_CARRIED + DeadLetterEnvelope.PREFIX_BYTES];
    Arrays.fill(value, (byte) 7);
    var handler = new IngressErrorHandlers.Production();
    handler.configure(configs);

    ProductionExceptionHandler.Response response =
        handler.handleError(
            context(value),
            new ProducerRecord<>("lethe.deadletter", KEY, value),
            new RecordTooLargeException("too large"));

    assertThat(response.result()).isEqualTo(ProductionExceptionHandler.Result.RESUME);
    assertThat(response.deadLetterQueueRecords()).hasSize(1);
    ProducerRecord<byte[], byte[]> out = response.deadLetterQueueRecords().get(0);
    assertThat(out.topic()).isEqualTo("lethe.deadletter");
    assertThat(out.key()).isEqualTo(KEY);
    DeadLetter letter = decode(out.value());
    assertThat(letter.getReasonCode()).isEqualTo(Rejection.UNDELIVERABLE);
    assertThat(letter.getSourceTopic()).isEqualTo("lethe.samples.raw");
    assertThat(letter.getSourcePartition()).isEqualTo(1);
    assertThat(letter.getSourceOffset()).isEqualTo(42);
    assertThat(letter.getOriginalSize()).isEqualTo(KEY.length + value.length);
    assertThat(letter.getTruncated()).isTrue();
    assertThat(letter.getValue())
        .isEqualTo(ByteBuffer.wrap(Arrays.copyOf(value, DeadLetterEnvelope.PREFIX_BYTES)));
    assertThat(letter.getReason())
        .isEqualTo(
            "the ingress's output to lethe.deadletter for the record at lethe.samples.raw-1@42"
                + " was refused by Kafka: too large");
    assertThat(header(out.headers(), DeadLetterHeaders.REASON_CODE))
        .isEqualTo(Rejection.UNDELIVERABLE);
    assertThat(header(out.headers(), DeadLetterHeaders.COMPONENT)).isEqualTo("ingress");
  }

  @Test
  void shouldRetryRetriableProductionErrorsAndFailOnRegistryOutages() {
    var handler = new IngressErrorHandlers.Production();
    handler.configure(configs);
    var record = new ProducerRecord<>("lethe.samples", KEY, new byte[1]);

    assertThat(
            handler.handleError(context(new byte[1]), record, new TimeoutException("t")).result())
        .isEqualTo(ProductionExceptionHandler.Result.RETRY);
    assertThat(
            handler
                .handleSerializationError(
                    context(new byte[1]),
                    record,
                    new RegistryException("registry down", 0, -1, null),
                    ProductionExceptionHandler.SerializationExceptionOrigin.VALUE)
                .result())
        .isEqualTo(ProductionExceptionHandler.Result.FAIL);
  }

  @Test
  void shouldDeadLetterARecordWhoseProcessingThrowsAndKeepGoing() {
    byte[] value = {1, 2, 3};
    var handler = new IngressErrorHandlers.Processing();
    handler.configure(configs);

    ProcessingExceptionHandler.Response response =
        handler.handleError(
            context(value), new Record<>("k", "v", 0L), new IllegalStateException("a bug"));

    assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
    DeadLetter letter = decode(response.deadLetterQueueRecords().get(0).value());
    assertThat(letter.getReasonCode()).isEqualTo(Rejection.PROCESSING_FAILED);
    assertThat(letter.getReason())
        .isEqualTo(
            "the ingress failed to process the record at lethe.samples.raw-1@42 in"
                + " sample-intake (IllegalStateException); see the ingress log")
        .doesNotContain("a bug");
    assertThat(letter.getValue()).isEqualTo(ByteBuffer.wrap(value));
    assertThat(letter.getTruncated()).isFalse();
  }

  @Test
  void shouldFailProcessingWhenTheSchemaRegistryIsOutOfReach() {
    var handler = new IngressErrorHandlers.Processing();
    handler.configure(configs);

    var error =
        new org.apache.kafka.common.errors.SerializationException(
            "wrapped", new RegistryException("connection refused", 0, -1, null));

    assertThat(
            handler.handleError(context(new byte[1]), new Record<>("k", "v", 0L), error).result())
        .isEqualTo(ProcessingExceptionHandler.Result.FAIL);
  }

  @Test
  void shouldDeadLetterUndecodableJobAnswers() {
    byte[] garbage = {9, 9, 9};
    var handler = new IngressErrorHandlers.Deserialization();
    handler.configure(configs);

    DeserializationExceptionHandler.Response response =
        handler.handleError(
            context(garbage),
            new ConsumerRecord<>("lethe.erasures.applied", 1, 42, KEY, garbage),
            new org.apache.kafka.common.errors.SerializationException("unknown magic byte"));

    assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.RESUME);
    DeadLetter letter = decode(response.deadLetterQueueRecords().get(0).value());
    assertThat(letter.getReasonCode()).isEqualTo(Rejection.MALFORMED);
    assertThat(letter.getKind().name()).isEqualTo("MALFORMED");
  }

  @Test
  void shouldReplaceAFailedThreadThreeTimesInTheWindowThenShutTheClientDown() {
    MutableClock clock = new MutableClock();
    ThreadFailures failures = new ThreadFailures(clock);
    RuntimeException error = new RuntimeException("outage");

    for (int i = 0; i < ThreadFailures.MAX_REPLACEMENTS; i++) {
      assertThat(failures.handle(error)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    }
    assertThat(failures.handle(error)).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);

    clock.now = clock.now.plus(ThreadFailures.WINDOW);
    assertThat(failures.handle(error)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
  }

  private static DeadLetter decode(byte[] bytes) {
    Deserializer<DeadLetter> deserializer = topics.deadLetter().valueSerde().deserializer();
    return deserializer.deserialize(topics.deadLetter().name(), bytes);
  }

  private static String header(Headers headers, String name) {
    return DeadLetterHeaders.text(headers, name);
  }

  private static ErrorHandlerContext context(byte[] value) {
    return new ErrorHandlerContext() {
      @Override
      public String topic() {
        return "lethe.samples.raw";
      }

      @Override
      public int partition() {
        return 1;
      }

      @Override
      public long offset() {
        return 42;
      }

      @Override
      public Headers headers() {
        return new RecordHeaders();
      }

      @Override
      public String processorNodeId() {
        return "sample-intake";
      }

      @Override
      public TaskId taskId() {
        return new TaskId(0, 1);
      }

      @Override
      public long timestamp() {
        return 0;
      }

      @Override
      public byte[] sourceRawKey() {
        return KEY;
      }

      @Override
      public byte[] sourceRawValue() {
        return value;
      }
    };
  }

  private static final class MutableClock extends Clock {
    Instant now = Instant.parse("2026-12-07T00:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
