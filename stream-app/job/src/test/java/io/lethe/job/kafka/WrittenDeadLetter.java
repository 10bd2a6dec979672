package io.lethe.job.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.job.events.KafkaOut;
import io.lethe.records.DeadLetter;
import io.lethe.validation.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;

/**
 * A job's dead letter as the sink writes it: the decoded envelope and the Kafka headers {@link
 * OutputSerializer} adds, for the tests of every operator that dead-letters.
 *
 * @param letter the envelope
 * @param headers header name to UTF-8 value
 */
public record WrittenDeadLetter(DeadLetter letter, Map<String, String> headers) {
  /** Every header {@link DeadLetterHeaders#of} sets. */
  public static final List<String> ALL_HEADERS =
      List.of(
          DeadLetterHeaders.REASON,
          DeadLetterHeaders.REASON_CODE,
          DeadLetterHeaders.KIND,
          DeadLetterHeaders.TOPIC,
          DeadLetterHeaders.PARTITION,
          DeadLetterHeaders.OFFSET,
          DeadLetterHeaders.COMPONENT,
          DeadLetterHeaders.SIZE,
          DeadLetterHeaders.TRUNCATED);

  /**
   * {@code out} as written; asserts it is a dead letter whose headers are each of {@link
   * #ALL_HEADERS} once and exactly {@link DeadLetterHeaders#of} of its envelope.
   */
  public static WrittenDeadLetter of(KafkaOut out) {
    assertThat(out.kind).isEqualTo(KafkaOut.Kind.DEAD_LETTER);
    DeadLetter letter = AvroBytes.decode(out.avro, DeadLetter.class);
    List<String> names = new ArrayList<>();
    Map<String, String> headers = new LinkedHashMap<>();
    for (Header header : OutputSerializer.headersOf(out)) {
      names.add(header.key());
      headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
    }
    assertThat(names).containsExactlyInAnyOrderElementsOf(ALL_HEADERS);
    Map<String, String> shared = new LinkedHashMap<>();
    for (Header header : DeadLetterHeaders.of(letter)) {
      shared.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
    }
    assertThat(headers).isEqualTo(shared);
    assertThat(headers)
        .containsEntry(DeadLetterHeaders.COMPONENT, JobDeadLetters.COMPONENT)
        .containsEntry(DeadLetterHeaders.REASON, letter.getReason())
        .containsEntry(DeadLetterHeaders.REASON_CODE, letter.getReasonCode());
    return new WrittenDeadLetter(letter, headers);
  }

  /** The value of header {@code name}. */
  public String header(String name) {
    return headers.get(name);
  }
}
