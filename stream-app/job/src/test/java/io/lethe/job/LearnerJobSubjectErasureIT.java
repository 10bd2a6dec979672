package io.lethe.job;

import static io.lethe.job.JobTestBench.BOUND;
import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.job.learner.CatalogLearners;
import io.lethe.records.ErasureApplied;
import io.lethe.records.ErasureGuarantee;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.TaskSamples;
import io.lethe.records.TrainingSample;
import io.lethe.testing.Await;
import io.lethe.testing.KafkaExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hypernetwork model forgets a subject and then two single samples: each erasure is applied
 * APPROXIMATE, the task that held the samples is learned again from the samples it keeps, and the
 * first version without them counts only the kept samples and still scores its tasks well.
 */
class LearnerJobSubjectErasureIT {
  @RegisterExtension static final KafkaExtension kafka = new KafkaExtension();

  private static final String HYPERNET = "fmnist-hypernet";
  private static final int PER_TASK = 600;

  @TempDir static Path dir;
  private static JobTestBench bench;

  // steps-per-task 0: no idle-time steps, so that the accuracies compared are those of the
  // erasure alone
  @BeforeAll
  static void startJob() throws Exception {
    bench =
        new JobTestBench(
            kafka,
            dir,
            PER_TASK,
            new CatalogLearners(),
            """
              - name: %s
                learner: hypernetwork
                dataset: fashion-mnist
                snapshot: {every-samples: 1000000, interval: 1s, after-erasure: 300ms}
                settings: {seed: 3, first-erase-steps: 50, steps-per-batch: 16, steps-per-task: 0, forget-steps: 200}
            """
                .formatted(HYPERNET));
  }

  @AfterAll
  static void stopJob() throws Exception {
    if (bench != null) {
      bench.close();
    }
  }

  @Test
  void shouldForgetASubjectAndThenSamplesApproximately() throws Exception {
    ModelSnapshot before = bench.learnTaskAfterTask(HYPERNET);
    double task0Before = JobTestBench.hypernetAccuracy(before, "0");
    double task1Before = JobTestBench.hypernetAccuracy(before, "1");

    // a subject with samples in both tasks
    String subject = "u-7";
    Map<String, Long> subjectPerTask =
        bench.samples.stream()
            .filter(s -> s.getSubjectId().equals(subject))
            .collect(Collectors.groupingBy(TrainingSample::getTask, Collectors.counting()));
    assertThat(subjectPerTask).containsOnlyKeys("0", "1");
    bench.produceErasure(JobTestBench.subjectErasure("r-subject", subject, JobTestBench.T0));

    ErasureApplied forgotten = awaitApplied("r-subject", HYPERNET);
    assertThat(forgotten.getGuarantee()).isEqualTo(ErasureGuarantee.APPROXIMATE);
    assertThat(forgotten.getSamplesErased())
        .isEqualTo(subjectPerTask.values().stream().mapToLong(Long::longValue).sum());
    assertThat(forgotten.getReason())
        .contains("task 0: " + subjectPerTask.get("0") + " sample(s) erased")
        .contains("task 1: " + subjectPerTask.get("1") + " sample(s) erased")
        .contains(
            "learned again with a fresh embedding from its "
                + (PER_TASK - subjectPerTask.get("0"))
                + " kept samples")
        .contains("hypernet-forget");
    assertThat(awaitApplied("r-subject", JobTestBench.MODEL).getGuarantee())
        .isEqualTo(ErasureGuarantee.EXACT);

    ModelSnapshot after = firstVersionWithout(forgotten);
    assertThat(samplesPerTask(after))
        .containsExactly(
            "0=" + (PER_TASK - subjectPerTask.get("0")),
            "1=" + (PER_TASK - subjectPerTask.get("1")));
    double task0After = JobTestBench.hypernetAccuracy(after, "0");
    double task1After = JobTestBench.hypernetAccuracy(after, "1");
    System.out.printf(
        "LearnerJobSubjectErasureIT: hypernetwork accuracy task 0 %.4f -> %.4f, task 1 %.4f -> %.4f"
            + " after forgetting a subject%n",
        task0Before, task0After, task1Before, task1After);
    assertThat(task0After).as("task 0 learned again").isGreaterThan(task0Before - 0.05);
    assertThat(task1After).as("task 1 learned again").isGreaterThan(task1Before - 0.05);

    // two samples of another subject, from task 1 only
    List<String> ids =
        bench.samples.stream()
            .filter(s -> s.getSubjectId().equals("u-8") && s.getTask().equals("1"))
            .limit(2)
            .map(TrainingSample::getSampleId)
            .toList();
    bench.produceErasure(JobTestBench.sampleErasure("r-samples", "u-8", ids, JobTestBench.T0));
    ErasureApplied samples = awaitApplied("r-samples", HYPERNET);
    assertThat(samples.getGuarantee()).isEqualTo(ErasureGuarantee.APPROXIMATE);
    assertThat(samples.getSamplesErased()).isEqualTo(2);
    assertThat(samples.getReason()).contains("task 1: 2 sample(s) erased").doesNotContain("task 0");
    assertThat(samplesPerTask(firstVersionWithout(samples)))
        .containsExactly(
            "0=" + (PER_TASK - subjectPerTask.get("0")),
            "1=" + (PER_TASK - subjectPerTask.get("1") - 2));
  }

  private static ErasureApplied awaitApplied(String requestId, String model) {
    Await.until(
        model + " applying " + requestId,
        BOUND,
        () ->
            bench.applied.stream()
                .anyMatch(a -> a.getRequestId().equals(requestId) && a.getModel().equals(model)));
    return bench.applied.stream()
        .filter(a -> a.getRequestId().equals(requestId) && a.getModel().equals(model))
        .findFirst()
        .orElseThrow();
  }

  private static ModelSnapshot firstVersionWithout(ErasureApplied applied) {
    return bench.awaitSnapshot(
        s -> s.getModel().equals(HYPERNET) && s.getVersion() == applied.getFirstVersionWithout());
  }

  private static List<String> samplesPerTask(ModelSnapshot snapshot) {
    return snapshot.getLineage().getSamplesPerTask().stream()
        .map((TaskSamples t) -> t.getTask() + "=" + t.getSamples())
        .toList();
  }
}
