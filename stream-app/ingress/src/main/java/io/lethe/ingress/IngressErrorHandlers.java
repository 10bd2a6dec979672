package io.lethe.ingress;

import io.lethe.records.DeadLetter;
import io.lethe.records.DeadLetterKind;
import io.lethe.schemas.registry.RegistryException;
import io.lethe.validation.DeadLetterEnvelope;
import io.lethe.validation.DeadLetterHeaders;
import io.lethe.validation.Rejection;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingress's Kafka Streams exception handlers: a record that cannot be read, processed or
 * written is dead-lettered with Lethe's envelope (its source coordinates, size and first bytes) and
 * the stream goes on with the next record. Only infrastructure faults (an unreachable schema
 * registry, a retriable Kafka error, a denied authorization) fail the stream thread: those records
 * may be valid and must not be thrown away.
 *
 * <p>The intake processors already dead-letter every bad input they can name; these handlers are
 * the net under them, for what slips through (a defect, or an output Kafka refuses).
 */
public final class IngressErrorHandlers {
  /**
   * Configuration key (in the Streams properties) of the {@code Serializer<DeadLetter>} the
   * handlers encode with; set by {@link IngressApp#streamsConfig}.
   */
  public static final String DEAD_LETTER_SERIALIZER = "lethe.ingress.dead.letter.serializer";

  /** Configuration key of the dead-letter topic's name. */
  public static final String DEAD_LETTER_TOPIC = "lethe.ingress.dead.letter.topic";

  /** Configuration key of the largest original a dead letter carries whole (an Integer). */
  public static final String MAX_CARRIED_BYTES = "lethe.ingress.dead.letter.max.carried.bytes";

  private static final Logger log = LoggerFactory.getLogger(IngressErrorHandlers.class);

  private IngressErrorHandlers() {}

  /**
   * True for faults of the infrastructure rather than of the record: the schema registry, retriable
   * Kafka errors, authentication and authorization. Looks through the cause chain.
   */
  static boolean isInfrastructureFault(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof RegistryException
          || t instanceof RetriableException
          || t instanceof AuthenticationException
          || t instanceof AuthorizationException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /** Builds the dead letters of one handler from its configuration. */
  private static final class Writer {
    private Serializer<DeadLetter> serializer;
    private String topic;
    private int maxCarriedBytes;

    @SuppressWarnings("unchecked")
    void configure(Map<String, ?> configs) {
      Object configured = configs.get(DEAD_LETTER_SERIALIZER);
      if (!(configured instanceof Serializer<?>)) {
        throw new IllegalArgumentException(
            DEAD_LETTER_SERIALIZER + " must hold a Serializer<DeadLetter>, found " + configured);
      }
      serializer = (Serializer<DeadLetter>) configured;
      topic = String.valueOf(configs.get(DEAD_LETTER_TOPIC));
      maxCarriedBytes = ((Number) configs.get(MAX_CARRIED_BYTES)).intValue();
    }

    List<ProducerRecord<byte[], byte[]>> deadLetter(
        ErrorHandlerContext context, DeadLetterKind kind, String code, String message) {
      byte[] key = context.sourceRawKey();
      byte[] value = context.sourceRawValue();
      DeadLetter letter =
          DeadLetterEnvelope.of(
              DeadLetters.COMPONENT,
              new DeadLetterEnvelope.Source(
                  context.topic() == null ? "" : context.topic(),
                  context.partition(),
                  context.offset()),
              kind,
              new Rejection(code, message),
              key,
              value,
              value == null && key == null ? -1 : DeadLetterEnvelope.sizeOf(key, value),
              maxCarriedBytes,
              Instant.now());
      byte[] letterKey =
          letter.getKey() == null
              ? null
              : StandardCharsets.UTF_8
                  .decode(letter.getKey().duplicate())
                  .toString()
                  .getBytes(StandardCharsets.UTF_8);
      return List.of(
          new ProducerRecord<>(
              topic,
              null,
              null,
              letterKey,
              serializer.serialize(topic, letter),
              DeadLetterHeaders.of(letter)));
    }
  }

  private static String describe(ErrorHandlerContext context) {
    return context.topic() + "-" + context.partition() + "@" + context.offset();
  }

  /**
   * Dead-letters records whose output Kafka refuses for the record's own sake (too large, not
   * serializable), retries retriable errors, and fails on the rest.
   */
  public static final class Production implements ProductionExceptionHandler {
    private final Writer writer = new Writer();

    @Override
    public void configure(Map<String, ?> configs) {
      writer.configure(configs);
    }

    @Override
    public Response handleError(
        ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception error) {
      if (error instanceof RetriableException) {
        return Response.retry();
      }
      if (isInfrastructureFault(error) || !(error instanceof KafkaException)) {
        return Response.fail();
      }
      log.warn(
          "Kafka refused an output to {} of the record at {} ({}); dead-lettering the input",
          record.topic(),
          describe(context),
          error.getClass().getSimpleName());
      return Response.resume(
          writer.deadLetter(
              context,
              DeadLetterKind.INVALID,
              Rejection.UNDELIVERABLE,
              "the ingress's output to "
                  + record.topic()
                  + " for the record at "
                  + describe(context)
                  + " was refused by Kafka: "
                  + error.getMessage()));
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Response handleSerializationError(
        ErrorHandlerContext context,
        ProducerRecord record,
        Exception error,
        SerializationExceptionOrigin origin) {
      if (isInfrastructureFault(error)) {
        return Response.fail();
      }
      log.warn(
          "Cannot serialize the output to {} of the record at {} ({})",
          record.topic(),
          describe(context),
          error.getClass().getSimpleName());
      return Response.resume(
          writer.deadLetter(
              context,
              DeadLetterKind.INVALID,
              Rejection.UNDELIVERABLE,
              "the ingress cannot serialize its output to "
                  + record.topic()
                  + " for the record at "
                  + describe(context)));
    }
  }

  /** Dead-letters a record whose processing threw, unless the fault is the infrastructure's. */
  public static final class Processing implements ProcessingExceptionHandler {
    private final Writer writer = new Writer();

    @Override
    public void configure(Map<String, ?> configs) {
      writer.configure(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception error) {
      if (isInfrastructureFault(error)) {
        return Response.fail();
      }
      // A defect: the stack trace is for Lethe's developers; the record goes to the dead letters.
      log.error(
          "Processing the record at {} failed in {}; dead-lettering it",
          describe(context),
          context.processorNodeId(),
          error);
      return Response.resume(
          writer.deadLetter(
              context,
              DeadLetterKind.INVALID,
              Rejection.PROCESSING_FAILED,
              "the ingress failed to process the record at "
                  + describe(context)
                  + " in "
                  + context.processorNodeId()
                  + " ("
                  + error.getClass().getSimpleName()
                  + "); see the ingress log"));
    }
  }

  /**
   * Dead-letters records of the typed topics (the job's erasure answers) that do not decode, unless
   * the schema registry cannot be reached.
   */
  public static final class Deserialization implements DeserializationExceptionHandler {
    private final Writer writer = new Writer();

    @Override
    public void configure(Map<String, ?> configs) {
      writer.configure(configs);
    }

    @Override
    public Response handleError(
        ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception error) {
      if (isInfrastructureFault(error)) {
        return Response.fail();
      }
      log.warn(
          "The record at {} does not decode; dead-lettering it ({})",
          describe(context),
          error.getClass().getSimpleName());
      return Response.resume(
          writer.deadLetter(
              context,
              DeadLetterKind.MALFORMED,
              Rejection.MALFORMED,
              "record at " + describe(context) + " does not decode: " + error.getMessage()));
    }
  }
}
