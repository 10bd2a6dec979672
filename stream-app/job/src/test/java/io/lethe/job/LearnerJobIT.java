package io.lethe.job;

import static io.lethe.job.JobTestBench.BOUND;
import static io.lethe.job.JobTestBench.MODEL;
import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.job.learner.CatalogLearners;
import io.lethe.records.DeadLetter;
import io.lethe.records.DeadLetterKind;
import io.lethe.records.ErasureAffected;
import io.lethe.records.ErasureApplied;
import io.lethe.records.ErasureGuarantee;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.TrainingSample;
import io.lethe.testing.Await;
import io.lethe.testing.KafkaExtension;
import io.lethe.validation.DeadLetterHeaders;
import io.lethe.validation.Rejection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The learner job end to end on the Flink MiniCluster and a real broker: Fashion-MNIST samples in
 * through Kafka, erasures by subject and by sample ids, snapshots out on {@code lethe.models} that
 * equal the model trained offline on the retained samples only.
 */
class LearnerJobIT {
  @RegisterExtension static final KafkaExtension kafka = new KafkaExtension();

  @TempDir static Path dir;
  private static JobTestBench bench;

  @BeforeAll
  static void startJob() throws Exception {
    bench = new JobTestBench(kafka, dir, 600, new CatalogLearners());
  }

  @AfterAll
  static void stopJob() throws Exception {
    if (bench != null) {
      bench.close();
    }
  }

  @Test
  void shouldForgetSubjectsAndSamplesExactlyEndToEnd() throws Exception {
    List<TrainingSample> samples = bench.samples;
    bench.produceSamples(samples);
    bench.awaitSnapshot(s -> JobTestBench.learned(s) == samples.size());

    // One subject by SUBJECT, one by SAMPLE ids (half of its samples), one more by SUBJECT; every
    // subject has samples in both tasks.
    List<TrainingSample> ofU2 =
        samples.stream().filter(s -> s.getSubjectId().equals("u-2")).toList();
    List<String> u2Erased =
        ofU2.subList(0, ofU2.size() / 2).stream().map(TrainingSample::getSampleId).toList();
    Instant requestedAt = JobTestBench.T0.plusSeconds(3600);
    bench.produceErasure(JobTestBench.subjectErasure("r-subject", "u-1", requestedAt));
    bench.produceErasure(JobTestBench.sampleErasure("r-samples", "u-2", u2Erased, requestedAt));
    bench.produceErasure(JobTestBench.subjectErasure("r-spread", "u-3", requestedAt));

    Set<String> requests = Set.of("r-subject", "r-samples", "r-spread");
    Await.until(
        "an ErasureApplied per request",
        BOUND,
        () ->
            bench.applied.stream()
                .map(ErasureApplied::getRequestId)
                .toList()
                .containsAll(requests));
    for (ErasureApplied confirmation : bench.applied) {
      assertThat(confirmation.getModel()).isEqualTo(MODEL);
      assertThat(confirmation.getGuarantee()).isEqualTo(ErasureGuarantee.EXACT);
      ModelSnapshot first =
          bench.awaitSnapshot(s -> s.getVersion() == confirmation.getFirstVersionWithout());
      assertThat(first.getLineage().getErasuresReflected()).contains(confirmation.getRequestId());
    }
    assertThat(bench.affected)
        .extracting(ErasureAffected::getRequestId)
        .containsExactlyInAnyOrderElementsOf(requests);
    assertThat(bench.affected).allSatisfy(a -> assertThat(a.getModels()).containsExactly(MODEL));

    Set<String> erasedIds = new HashSet<>(u2Erased);
    samples.stream()
        .filter(s -> s.getSubjectId().equals("u-1") || s.getSubjectId().equals("u-3"))
        .forEach(s -> erasedIds.add(s.getSampleId()));
    List<TrainingSample> retained =
        samples.stream().filter(s -> !erasedIds.contains(s.getSampleId())).toList();
    ModelSnapshot latest = bench.awaitSnapshot(s -> JobTestBench.learned(s) == retained.size());
    double difference =
        JobTestBench.maxRelativeDifference(
            JobTestBench.headWeights(latest), JobTestBench.offlineWeights(retained));
    System.out.printf(
        "LearnerJobIT: version %d learned %d of %d samples; max relative difference to the offline"
            + " retrain %.3e%n",
        latest.getVersion(), JobTestBench.learned(latest), samples.size(), difference);
    assertThat(difference).isLessThan(1e-9);

    // Straight to lethe.erasures, past the ingress: r-subject's id with other content (u-4) is
    // refused and dead-lettered, and its exact retry is ignored. A no-op request on u-4's key
    // (same partition, so after them in the ledger) marks when the ledger would have seen them.
    bench.produceErasure(JobTestBench.subjectErasure("r-subject", "u-4", requestedAt));
    bench.produceErasure(JobTestBench.subjectErasure("r-subject", "u-1", requestedAt));
    bench.produceErasure(
        JobTestBench.sampleErasure("r-marker", "u-4", List.of("never-sent"), requestedAt));
    Await.until(
        "the marker's ErasureAffected",
        BOUND,
        () -> bench.affected.stream().anyMatch(a -> a.getRequestId().equals("r-marker")));
    int reusedAt = -1;
    for (int i = 0; i < bench.deadLetters.size(); i++) {
      if (bench.deadLetters.get(i).getReasonCode().equals(Rejection.REQUEST_ID_REUSED)) {
        assertThat(reusedAt).as("one dead letter for the reuse, none for the retry").isEqualTo(-1);
        reusedAt = i;
      }
    }
    assertThat(reusedAt).as("the reuse's dead letter").isNotNegative();
    DeadLetter reused = bench.deadLetters.get(reusedAt);
    assertThat(reused.getReason())
        .isEqualTo(
            "erasure request r-subject reuses the id of an earlier request with other content;"
                + " not executed (send new content under a new request id)");
    assertThat(reused.getSourceTopic()).isEqualTo("lethe.erasures");
    assertThat(reused.getValue()).isNotNull();
    assertThat(bench.deadLetterHeaders.get(reusedAt))
        .containsEntry(DeadLetterHeaders.REASON_CODE, Rejection.REQUEST_ID_REUSED)
        .containsEntry(DeadLetterHeaders.KIND, "INVALID")
        .containsEntry(DeadLetterHeaders.COMPONENT, "learner-job")
        .containsKeys(DeadLetterHeaders.SIZE, DeadLetterHeaders.TRUNCATED);
    // Neither ran: r-subject was decided and applied once, and the model still holds u-4.
    assertThat(bench.affected).filteredOn(a -> a.getRequestId().equals("r-subject")).hasSize(1);
    assertThat(bench.applied).filteredOn(a -> a.getRequestId().equals("r-subject")).hasSize(1);
    assertThat(bench.snapshots.get(bench.snapshots.size() - 1))
        .satisfies(s -> assertThat(JobTestBench.learned(s)).isEqualTo(retained.size()));

    // A late sample of an erased subject, from before the erasure, is dead-lettered, not learned.
    TrainingSample late = TrainingSample.newBuilder(samples.get(1)).build();
    late.setSampleId("s-late");
    late.setSubjectId("u-1");
    late.setEventTime(requestedAt.minusSeconds(1));
    bench.produceSamples(List.of(late));
    Await.until(
        "the late sample in the dead-letter topic",
        BOUND,
        () -> bench.deadLetters.stream().anyMatch(d -> d.getReason().startsWith("sample s-late ")));
    DeadLetter letter =
        bench.deadLetters.stream()
            .filter(d -> d.getReason().startsWith("sample s-late "))
            .findFirst()
            .orElseThrow();
    assertThat(letter.getReason())
        .startsWith("sample s-late of subject u-1 has event time ")
        .contains("at or before the subject's erasure at " + requestedAt);
    assertThat(letter.getSourceTopic()).isEqualTo("lethe.samples");

    // Bytes that are not a TrainingSample are dead-lettered with the reason; the job keeps going.
    kafka.produce(
        bench.topics.samples().name(),
        "u-9".getBytes(StandardCharsets.UTF_8),
        "{\"not\": \"avro\"}".getBytes(StandardCharsets.UTF_8),
        new ByteArraySerializer(),
        new ByteArraySerializer());
    Await.until(
        "the garbage in the dead-letter topic",
        BOUND,
        () ->
            bench.deadLetters.stream()
                .anyMatch(
                    d ->
                        d.getKind() == DeadLetterKind.MALFORMED
                            && d.getReason()
                                .equals(
                                    "Record on topic 'lethe.samples' is not valid Confluent Avro:"
                                        + " unknown magic byte 0x7b (expected 0x00): not"
                                        + " Confluent-framed Avro")));

    // Versions on lethe.models only ever go up.
    List<Long> versions = bench.snapshots.stream().map(ModelSnapshot::getVersion).toList();
    assertThat(versions).isSorted().doesNotHaveDuplicates();

    // The custom metrics are on the Flink REST API of the running job.
    Await.until(
        "samplesLearned on the REST API",
        BOUND,
        () -> bench.learnerMetric("samplesLearned") >= samples.size());
  }
}
