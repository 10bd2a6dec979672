package io.lethe.job.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.catalog.ModelCatalog;
import io.lethe.job.ModelRoutes;
import io.lethe.job.events.ErasureEvent;
import io.lethe.job.events.KafkaOut;
import io.lethe.job.events.LearnerCommand;
import io.lethe.job.events.SampleEvent;
import io.lethe.job.kafka.AvroBytes;
import io.lethe.job.kafka.WrittenDeadLetter;
import io.lethe.learners.data.PackedFeatures;
import io.lethe.records.DeadLetter;
import io.lethe.records.ErasureAffected;
import io.lethe.records.ErasureScope;
import io.lethe.validation.Rejection;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ledger through Flink's operator test harness: commands out, keyed state cleaned up. */
class ErasureLedgerTest {
  private static final ModelCatalog CATALOG =
      ModelCatalog.parse(
          """
          datasets:
            - {name: d, features: 2, classes: 3}
            - {name: other, features: 2, classes: 3}
          models:
            - {name: analytic, learner: analytic, dataset: d}
            - {name: hypernet, learner: hypernetwork, dataset: d}
            - {name: elsewhere, learner: analytic, dataset: other}
          """,
          "test");
  private static final Duration RETENTION = Duration.ofHours(1);

  private KeyedTwoInputStreamOperatorTestHarness<String, SampleEvent, ErasureEvent, LearnerCommand>
      harness;

  @BeforeEach
  void setUp() throws Exception {
    harness =
        ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
            new ErasureLedger(ModelRoutes.of(CATALOG), RETENTION),
            s -> s.subjectId,
            e -> e.subjectId,
            Types.STRING);
    harness.open();
    harness.setProcessingTime(1_000);
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  @Test
  void shouldSendEachSampleToEveryModelOfItsDataset() throws Exception {
    harness.processElement1(sample("s1", "u1", "0", 100), 100);

    assertThat(harness.extractOutputValues())
        .extracting(c -> c.kind, c -> c.model, c -> c.sampleIds)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                LearnerCommand.Kind.LEARN, "analytic", List.of("s1")),
            org.assertj.core.groups.Tuple.tuple(
                LearnerCommand.Kind.LEARN, "hypernet", List.of("s1")));
  }

  @Test
  void shouldForgetSubjectWithExactEraseCommandsAndLeaveNoStateAfterRetention() throws Exception {
    harness.processElement1(sample("s1", "u1", "0", 100), 100);
    harness.processElement1(sample("s2", "u1", "1", 200), 200);
    harness.processElement1(sample("s3", "u2", "1", 300), 300);
    harness.getOutput().clear();

    harness.processElement2(subjectErasure("r1", "u1", 500), 500);

    List<LearnerCommand> commands = harness.extractOutputValues();
    assertThat(commands).hasSize(2);
    for (LearnerCommand erase : commands) {
      assertThat(erase.kind).isEqualTo(LearnerCommand.Kind.ERASE_SAMPLES);
      assertThat(erase.requestId).isEqualTo("r1");
      assertThat(erase.sampleIds).containsExactlyInAnyOrder("s1", "s2");
      assertThat(erase.packedFeatures.length).isEqualTo(2);
      int s1 = erase.sampleIds.indexOf("s1");
      assertThat(PackedFeatures.unpack(erase.packedFeatures[s1])).containsExactly(0.5f, 1.0f);
      assertThat(erase.tasks.get(s1)).isEqualTo("0");
      assertThat(erase.labels[s1]).isEqualTo(1);
    }
    assertThat(commands).extracting(c -> c.model).containsExactly("analytic", "hypernet");
    ErasureAffected affected = affectedOutputs().get(0);
    assertThat(affected.getModels()).containsExactly("analytic", "hypernet");
    assertThat(affected.getSamplesFound()).isEqualTo(2);

    // Left (one entry per subject and state): u2's samples, u1's tombstones and their expiry.
    assertThat(harness.numKeyedStateEntries()).isEqualTo(3);
    harness.processElement2(subjectErasure("r2", "u2", 600), 600);
    harness.setProcessingTime(1_000 + RETENTION.toMillis());
    assertThat(harness.numKeyedStateEntries()).isZero();
  }

  @Test
  void shouldNeverLearnALateSampleFromBeforeTheSubjectsErasure() throws Exception {
    harness.processElement2(subjectErasure("r1", "u1", 500), 500);
    harness.getOutput().clear();

    harness.processElement1(sample("late", "u1", "0", 499), 510);
    harness.processElement1(sample("after", "u1", "0", 501), 520);

    assertThat(harness.extractOutputValues())
        .extracting(c -> c.sampleIds.get(0))
        .containsExactly("after", "after");
    List<DeadLetter> letters = deadLetters();
    assertThat(letters).hasSize(1);
    assertThat(letters.get(0).getReason())
        .isEqualTo(
            "sample late of subject u1 has event time 1970-01-01T00:00:00.499Z, at or before the"
                + " subject's erasure at 1970-01-01T00:00:00.500Z; not learned by [analytic,"
                + " hypernet]");
    assertThat(letters.get(0).getSourceTopic()).isEqualTo("lethe.samples");
    assertThat(letters.get(0).getSourceOffset()).isEqualTo(42L);
    assertThat(letters.get(0).getReasonCode()).isEqualTo(Rejection.SUBJECT_ERASED);
    // The erased subject's sample is not copied into the dead letter: the coordinates find it.
    assertThat(letters.get(0).getValue()).isNull();
    assertThat(letters.get(0).getOriginalSize()).isEqualTo(-1L);
  }

  @Test
  void shouldEraseOnlyTheNamedSamplesAndCountTheOnesItFound() throws Exception {
    harness.processElement1(sample("s1", "u1", "0", 100), 100);
    harness.processElement1(sample("s2", "u1", "0", 200), 200);
    harness.getOutput().clear();

    ErasureEvent request = subjectErasure("r1", "u1", 300);
    request.scope = ErasureScope.SAMPLE;
    request.ids = List.of("s2", "never-learned");
    harness.processElement2(request, 300);

    assertThat(harness.extractOutputValues())
        .allSatisfy(c -> assertThat(c.sampleIds).containsExactly("s2"))
        .hasSize(2);
    assertThat(affectedOutputs().get(0).getSamplesFound()).isEqualTo(1);
    // s1 stays; the erased ids and their expiry are remembered for the retention.
    assertThat(harness.numKeyedStateEntries()).isEqualTo(3);

    harness.getOutput().clear();
    harness.processElement1(sample("never-learned", "u1", "0", 250), 310);
    harness.processElement1(sample("s2", "u1", "0", 200), 320);
    assertThat(harness.extractOutputValues()).isEmpty();
    assertThat(deadLetters())
        .extracting(DeadLetter::getReason)
        .containsExactly(
            "sample never-learned was erased at 1970-01-01T00:00:00.300Z and is never learned"
                + " again",
            "sample s2 was erased at 1970-01-01T00:00:00.300Z and is never learned again");
    assertThat(deadLetters())
        .extracting(DeadLetter::getReasonCode)
        .containsOnly(Rejection.SAMPLE_ERASED);
  }

  @Test
  void shouldEraseOnlyFromTheModelsTheRequestNames() throws Exception {
    harness.processElement1(sample("s1", "u1", "0", 100), 100);
    harness.getOutput().clear();

    ErasureEvent request = subjectErasure("r1", "u1", 300);
    request.models = List.of("hypernet");
    harness.processElement2(request, 300);

    assertThat(harness.extractOutputValues()).extracting(c -> c.model).containsExactly("hypernet");
    assertThat(affectedOutputs().get(0).getModels()).containsExactly("hypernet");
    // A later erasure for the other model still finds the sample.
    harness.getOutput().clear();
    harness.processElement2(subjectErasure("r2", "u1", 400), 400);
    assertThat(harness.extractOutputValues()).extracting(c -> c.model).containsExactly("analytic");
  }

  @Test
  void shouldReportNoAffectedModelsForASubjectItNeverSaw() throws Exception {
    harness.processElement2(subjectErasure("r1", "nobody", 300), 300);

    assertThat(harness.extractOutputValues()).isEmpty();
    assertThat(affectedOutputs().get(0).getModels()).isEmpty();
  }

  @Test
  void shouldRefuseADuplicateSampleId() throws Exception {
    harness.processElement1(sample("s1", "u1", "0", 100), 100);
    harness.processElement1(sample("s1", "u1", "0", 100), 100);

    assertThat(harness.extractOutputValues()).hasSize(2);
    assertThat(deadLetters())
        .extracting(DeadLetter::getReason)
        .containsExactly("sample s1 was already learned; duplicate ignored");
    assertThat(deadLetters())
        .extracting(DeadLetter::getReasonCode)
        .containsExactly(Rejection.DUPLICATE_SAMPLE);
  }

  private List<ErasureAffected> affectedOutputs() {
    return harness.getSideOutput(ErasureLedger.OUTPUTS).stream()
        .map(StreamRecord::getValue)
        .filter(o -> o.kind == KafkaOut.Kind.ERASURE_AFFECTED)
        .map(o -> AvroBytes.decode(o.avro, ErasureAffected.class))
        .toList();
  }

  private List<DeadLetter> deadLetters() {
    var side = harness.getSideOutput(ErasureLedger.OUTPUTS);
    if (side == null) {
      return List.of();
    }
    return side.stream()
        .map(StreamRecord::getValue)
        .filter(o -> o.kind == KafkaOut.Kind.DEAD_LETTER)
        .map(o -> WrittenDeadLetter.of(o).letter())
        .toList();
  }

  private static SampleEvent sample(String id, String subject, String task, long eventTime) {
    byte[] packed = new PackedFeatures().pack(new float[] {0.5f, 1.0f});
    SampleEvent s = new SampleEvent(id, subject, "d", task, packed, 1, eventTime);
    s.sourceTopic = "lethe.samples";
    s.sourcePartition = 0;
    s.sourceOffset = 42;
    return s;
  }

  private static ErasureEvent subjectErasure(String requestId, String subject, long requestedAt) {
    ErasureEvent e = new ErasureEvent();
    e.requestId = requestId;
    e.scope = ErasureScope.SUBJECT;
    e.subjectId = subject;
    e.ids = List.of(subject);
    e.requestedAtMillis = requestedAt;
    e.requester = "test";
    return e;
  }
}
