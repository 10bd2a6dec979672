package io.lethe.job.learner;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.catalog.ModelCatalog;
import io.lethe.catalog.SnapshotPolicy;
import io.lethe.job.JobMetrics;
import io.lethe.job.events.KafkaOut;
import io.lethe.job.events.LearnerCommand;
import io.lethe.job.events.SampleEvent;
import io.lethe.learners.data.PackedFeatures;
import java.time.Duration;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Learner operator's per-model {@code inputLagMillis} gauge, through Flink's operator test
 * harness: processing time minus the Kafka timestamp of the newest sample it learned, held while no
 * sample comes.
 */
class LearnerInputLagTest {
  private static final String MODEL = "tiny-analytic";
  private static final ModelCatalog CATALOG =
      LearnerOperatorHarness.tinyAnalytic(
          MODEL, new SnapshotPolicy(1_000_000, Duration.ofHours(1), Duration.ofHours(1)));

  private LearnerOperatorHarness operator;
  private KeyedOneInputStreamOperatorTestHarness<String, LearnerCommand, KafkaOut> harness;

  @BeforeEach
  void setUp() throws Exception {
    operator = new LearnerOperatorHarness(CATALOG, 2, null);
    harness = operator.harness;
  }

  @AfterEach
  void tearDown() throws Exception {
    operator.close();
  }

  @Test
  void shouldReportHowLongTheNewestLearnedSampleWaitedAndHoldItWhileNoneComes() throws Exception {
    assertThat(inputLag()).isZero();
    harness.setProcessingTime(10_000);
    harness.processElement(learn("s-1", 0), 7_000);
    assertThat(inputLag()).as("buffered, not learned yet").isZero();

    harness.setProcessingTime(10_500);
    harness.processElement(learn("s-2", 1), 9_000); // the batch of 2 is learned now

    assertThat(inputLag()).isEqualTo(1_500L);
    harness.setProcessingTime(60_000);
    assertThat(inputLag()).as("held while no sample comes").isEqualTo(1_500L);
  }

  private long inputLag() {
    return operator.modelGauge(JobMetrics.MODEL_INPUT_LAG_MILLIS);
  }

  private static LearnerCommand learn(String id, int label) {
    byte[] packed = new PackedFeatures().pack(new float[] {0.5f, label});
    return LearnerCommand.learn(
        MODEL, new SampleEvent(id, "u-" + id, "tiny", "t1", packed, label, 1_000L));
  }
}
