package io.lethe.job.kafka;

import io.lethe.job.events.KafkaOut;
import io.lethe.job.events.RawRecord;
import io.lethe.records.DeadLetter;
import io.lethe.records.DeadLetterKind;
import io.lethe.validation.DeadLetterEnvelope;
import io.lethe.validation.Rejection;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The learner job's dead letters: the shared envelope ({@link DeadLetterEnvelope}) for every
 * operator that refuses input; {@link OutputSerializer} adds the shared headers.
 *
 * <p>Which original bytes a letter carries depends on where the job refuses the record. The
 * decoders and the request-id guard have the raw record and carry it (whole up to {@link
 * #MAX_CARRIED_BYTES}, else a prefix). The ledger and the learners see only the decoded sample
 * (features packed, attributes dropped) and carry no bytes: value and key null, original size -1;
 * the source coordinates (the ledger's letters) find the original on {@code lethe.samples} while
 * the topic keeps it. The ledger could re-encode the decoded sample, but that would be a record
 * nobody sent, without its attributes, and for {@code sample-erased} and {@code subject-erased} it
 * would copy an erased subject's features into the dead-letter topic, where no erasure reaches
 * them.
 */
public final class JobDeadLetters {
  /** The {@code component} of the job's dead letters. */
  public static final String COMPONENT = "learner-job";

  /**
   * Reason code of a sample a model's learner refused although it passed validation (e.g. a label
   * for which the model's task has no room); the learner's message says why.
   */
  public static final String MODEL_REFUSED_SAMPLE = "model-refused-sample";

  /**
   * Largest original (key plus value bytes) a job's dead letter carries whole; larger ones keep a
   * {@link DeadLetterEnvelope#PREFIX_BYTES} prefix. The job's producer would send up to {@link
   * TopicSetup#MAX_SNAPSHOT_BYTES} and its consumers read records of any size, but the dead-letter
   * topic takes only {@link TopicSetup#DEAD_LETTER_MAX_BYTES}, envelope and headers included.
   */
  public static final int MAX_CARRIED_BYTES =
      TopicSetup.DEAD_LETTER_MAX_BYTES - DeadLetterEnvelope.OVERHEAD_BYTES;

  private JobDeadLetters() {}

  /**
   * A raw record the job could not accept, with its original key and value bytes (a prefix of them
   * beyond {@link #MAX_CARRIED_BYTES}), keyed by its key read as UTF-8 text.
   */
  public static KafkaOut of(RawRecord raw, DeadLetterKind kind, Rejection rejection, Instant now) {
    DeadLetter letter =
        DeadLetterEnvelope.of(
            COMPONENT,
            new DeadLetterEnvelope.Source(raw.topic, raw.partition, raw.offset),
            kind,
            rejection,
            raw.key,
            raw.value,
            DeadLetterEnvelope.sizeOf(raw.key, raw.value),
            MAX_CARRIED_BYTES,
            now);
    String key =
        letter.getKey() == null
            ? null
            : StandardCharsets.UTF_8.decode(letter.getKey().duplicate()).toString();
    return out(key, letter);
  }

  /**
   * A decoded record refused later in the job, whose bytes are not at hand (see the class comment):
   * an INVALID letter without key or value bytes and original size -1, found by its source
   * coordinates ({@link DeadLetterEnvelope.Source#unknown()} when not known). {@code key} is the
   * dead letter's Kafka key, e.g. the subject.
   */
  public static KafkaOut withoutBytes(
      String key, DeadLetterEnvelope.Source source, Rejection rejection, Instant now) {
    DeadLetter letter =
        DeadLetterEnvelope.of(
            COMPONENT,
            source,
            DeadLetterKind.INVALID,
            rejection,
            null,
            null,
            -1,
            MAX_CARRIED_BYTES,
            now);
    return out(key, letter);
  }

  private static KafkaOut out(String key, DeadLetter letter) {
    return KafkaOut.of(KafkaOut.Kind.DEAD_LETTER, key, AvroBytes.encode(letter));
  }
}
