package io.lethe.job.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.job.JobMetrics;
import io.lethe.job.events.ErasureEvent;
import io.lethe.job.events.RawRecord;
import io.lethe.job.kafka.WrittenDeadLetter;
import io.lethe.records.DeadLetterKind;
import io.lethe.records.ErasureScope;
import io.lethe.validation.DeadLetterHeaders;
import io.lethe.validation.Rejection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The request-id guard through Flink's operator test harness: retries, reuses and its state. */
class RequestIdGuardTest {
  private static final Duration RETENTION = Duration.ofDays(7);

  private final InterceptingOperatorMetricGroup metrics = new InterceptingOperatorMetricGroup();
  private MockEnvironment environment;
  private KeyedOneInputStreamOperatorTestHarness<String, ErasureEvent, ErasureEvent> harness;

  @BeforeEach
  void setUp() throws Exception {
    environment =
        new MockEnvironmentBuilder()
            .setMetricGroup(
                new UnregisteredMetricGroups.UnregisteredTaskMetricGroup() {
                  @Override
                  public InternalOperatorMetricGroup getOrAddOperator(
                      OperatorID id, String name, Map<String, String> additionalVariables) {
                    return metrics;
                  }
                })
            .build();
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new RequestIdGuard(RETENTION)),
            e -> e.requestId,
            Types.STRING,
            environment);
    harness.open();
    harness.setProcessingTime(1_000);
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
    environment.close();
  }

  @Test
  void shouldPassTheFirstRequestWithAnId() throws Exception {
    harness.processElement(subjectErasure("r1", "u1"), 0);

    assertThat(harness.extractOutputValues())
        .extracting(e -> e.requestId, e -> e.subjectId)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("r1", "u1"));
    assertThat(deadLetters()).isEmpty();
  }

  @Test
  void shouldSwallowAndCountAnIdenticalRetry() throws Exception {
    harness.processElement(subjectErasure("r1", "u1"), 0);
    harness.processElement(subjectErasure("r2", "u1"), 0);
    harness.getOutput().clear();

    harness.processElement(subjectErasure("r1", "u1"), 0);

    assertThat(harness.getOutput()).isEmpty();
    assertThat(deadLetters()).isEmpty();
    assertThat(counter(JobMetrics.ERASURE_RETRIES)).isEqualTo(1);
    assertThat(counter(JobMetrics.ERASURE_IDS_REUSED)).isZero();
  }

  @Test
  void shouldDeadLetterAReusedIdWithOtherContentAsRequestIdReused() throws Exception {
    harness.processElement(subjectErasure("r1", "u1"), 0);
    harness.getOutput().clear();

    harness.processElement(subjectErasure("r1", "u2"), 0);

    assertThat(harness.extractOutputValues()).isEmpty();
    List<WrittenDeadLetter> letters = deadLetters();
    assertThat(letters).hasSize(1);
    WrittenDeadLetter written = letters.get(0);
    assertThat(written.letter().getReason())
        .isEqualTo(
            "erasure request r1 reuses the id of an earlier request with other content; not"
                + " executed (send new content under a new request id)");
    assertThat(written.letter().getKind()).isEqualTo(DeadLetterKind.INVALID);
    assertThat(written.letter().getValue()).isEqualTo(ByteBuffer.wrap(bytes("request r1 for u2")));
    assertThat(written.headers())
        .containsEntry(DeadLetterHeaders.REASON_CODE, Rejection.REQUEST_ID_REUSED)
        .containsEntry(DeadLetterHeaders.TOPIC, "lethe.erasures")
        .containsEntry(DeadLetterHeaders.OFFSET, "7");
    assertThat(counter(JobMetrics.ERASURE_IDS_REUSED)).isEqualTo(1);
    assertThat(counter(JobMetrics.ERASURE_RETRIES)).isZero();

    // The first content stays the reference: a retry of it is still a retry.
    harness.processElement(subjectErasure("r1", "u1"), 0);
    assertThat(harness.extractOutputValues()).isEmpty();
    assertThat(counter(JobMetrics.ERASURE_RETRIES)).isEqualTo(1);
  }

  @Test
  void shouldForgetAnIdAfterTheRetention() throws Exception {
    harness.processElement(subjectErasure("r1", "u1"), 0);
    assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
    assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

    harness.setProcessingTime(1_000 + RETENTION.toMillis() - 1);
    assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
    harness.setProcessingTime(1_000 + RETENTION.toMillis());

    assertThat(harness.numKeyedStateEntries()).isZero();
    assertThat(harness.numProcessingTimeTimers()).isZero();
    // Forgotten: the id now passes again, whatever its content.
    harness.getOutput().clear();
    harness.processElement(subjectErasure("r1", "u2"), 0);
    assertThat(harness.extractOutputValues()).hasSize(1);
  }

  private long counter(String name) {
    Counter counter = (Counter) metrics.get(name);
    return counter.getCount();
  }

  private List<WrittenDeadLetter> deadLetters() {
    var side = harness.getSideOutput(RequestIdGuard.DEAD_LETTERS);
    if (side == null) {
      return List.of();
    }
    return side.stream().map(StreamRecord::getValue).map(WrittenDeadLetter::of).toList();
  }

  /** A SUBJECT request as DecodeErasures makes it, its fingerprint depending on the subject. */
  private static ErasureEvent subjectErasure(String requestId, String subject) {
    ErasureEvent e = new ErasureEvent();
    e.requestId = requestId;
    e.scope = ErasureScope.SUBJECT;
    e.subjectId = subject;
    e.ids = List.of(subject);
    e.requester = "test";
    e.fingerprint = "content of " + subject;
    e.source =
        new RawRecord(
            "lethe.erasures",
            0,
            7,
            0,
            bytes(subject),
            bytes("request " + requestId + " for " + subject));
    return e;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
