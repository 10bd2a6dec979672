package io.lethe.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.learners.data.FashionMnist;
import io.lethe.learners.hypernet.HypernetSettings;
import org.junit.jupiter.api.Test;

/**
 * Needs Fashion-MNIST (fails without it): the subject-erasure audit at its defaults for one subject
 * of seed 1, where the relearned tasks once stayed at chance because a fresh task embedding
 * generated a collapsed network after the noise-alignment steps (test accuracy 0.82 after
 * forgetting against 0.98 before).
 */
class HypernetForgetAuditRunTest {

  @Test
  void shouldForgetASubjectAndKeepTheTasksAccurate() {
    HypernetForgetAudit.Options options =
        new HypernetForgetAudit.Options(
            HypernetSettings.builder(FashionMnist.FEATURES).optSeed(1).build(),
            TaskSplit.parse(TaskSplit.FASHION_MNIST).stream(1, 64, 50),
            3,
            2000,
            1);
    HypernetForgetAudit.Report report =
        new HypernetForgetAudit(EvalData.of(FashionMnist.load()), options, line -> {}).run();

    HypernetForgetAudit.SubjectAudit audit = report.subjects().get(0);
    assertThat(audit.erasedSamples()).isBetween(100, 150);
    assertThat(audit.forgotten().testAccuracy())
        .as("every task learned again")
        .isGreaterThan(audit.original().testAccuracy() - 0.02);
    assertThat(audit.forgotten().membershipAuc())
        .as("the erased samples as recognisable as unseen ones")
        .isBetween(0.45, 0.55);
    assertThat(audit.retrained().membershipAuc()).isBetween(0.45, 0.55);
  }
}
