package io.lethe.job.learner;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.catalog.ModelCatalog;
import io.lethe.catalog.SnapshotPolicy;
import io.lethe.job.events.ErasureEvent;
import io.lethe.job.events.KafkaOut;
import io.lethe.job.events.LearnerCommand;
import io.lethe.job.events.SampleEvent;
import io.lethe.learners.data.PackedFeatures;
import io.lethe.learners.snapshot.NonFiniteWeightsException;
import io.lethe.learners.snapshot.SnapshotHeader;
import io.lethe.records.ErasureScope;
import io.lethe.records.ModelSnapshot;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How often the Learner operator publishes while samples and erasures keep coming: one snapshot per
 * interval, plus one soon after each erasure, however many erasures came before.
 */
class LearnerSnapshotCadenceTest {
  private static final String MODEL = "tiny-analytic";
  private static final long INTERVAL_MS = 2_000;
  private static final long AFTER_ERASURE_MS = 500;
  private static final ModelCatalog CATALOG =
      LearnerOperatorHarness.tinyAnalytic(
          MODEL,
          new SnapshotPolicy(
              1_000_000, Duration.ofMillis(INTERVAL_MS), Duration.ofMillis(AFTER_ERASURE_MS)));

  @Test
  void shouldPublishOncePerIntervalPlusOncePerErasureWhileSamplesKeepComing() throws Exception {
    try (LearnerOperatorHarness operator = new LearnerOperatorHarness(CATALOG, 1, null)) {
      var harness = operator.harness;
      int erasures = 0;
      long end = 60_000;
      // a sample every 100 ms for a minute, an erasure of an earlier sample every 5 s
      for (long now = 100; now <= end; now += 100) {
        harness.setProcessingTime(now);
        int n = (int) (now / 100);
        harness.processElement(learn("s-" + n, n % 2), now);
        if (now % 5_000 == 0) {
          harness.processElement(erase("e-" + n, "s-" + (n - 10), (n - 10) % 2), now);
          erasures++;
        }
      }
      List<KafkaOut> snapshots = operator.outputs(KafkaOut.Kind.MODEL_SNAPSHOT);
      List<KafkaOut> applied = operator.outputs(KafkaOut.Kind.ERASURE_APPLIED);

      assertThat(applied).as("every erasure confirmed").hasSize(erasures - 1); // the last is due
      // 30 intervals in the minute; an erasure's snapshot comes 500 ms after it and the next
      // interval's starts with the first change after it
      assertThat(snapshots.size())
          .as("snapshots in %d ms with %d erasures", end, erasures)
          .isBetween((int) (end / INTERVAL_MS) - 1, (int) (end / INTERVAL_MS) + erasures);
    }
  }

  @Test
  void shouldTryARefusedSnapshotAgainAnIntervalLaterWithoutNewSamples() throws Exception {
    LearnerFactory refusingOnce =
        (model, dataset, restored) ->
            new RefusingFirstSnapshot(new CatalogLearners().create(model, dataset, restored));
    try (LearnerOperatorHarness operator =
        new LearnerOperatorHarness(CATALOG, 1, null, refusingOnce)) {
      var harness = operator.harness;
      harness.setProcessingTime(0);
      harness.processElement(learn("s-1", 0), 0);
      harness.processElement(learn("s-2", 1), 0);

      harness.setProcessingTime(INTERVAL_MS); // the first snapshot is refused
      assertThat(operator.outputs(KafkaOut.Kind.MODEL_SNAPSHOT)).isEmpty();
      harness.setProcessingTime(2 * INTERVAL_MS); // no sample came since

      assertThat(operator.outputs(KafkaOut.Kind.MODEL_SNAPSHOT)).hasSize(1);
    }
  }

  /** A learner whose first snapshot has a non-finite weight. */
  private static final class RefusingFirstSnapshot extends ForwardingModelLearner {
    private boolean refused;

    RefusingFirstSnapshot(ModelLearner real) {
      super(real);
    }

    @Override
    public ModelSnapshot snapshot(SnapshotHeader header) {
      if (!refused) {
        refused = true;
        throw new NonFiniteWeightsException("head.weight", 0, Double.NaN);
      }
      return super.snapshot(header);
    }
  }

  private static LearnerCommand learn(String id, int label) {
    return LearnerCommand.learn(MODEL, sample(id, label));
  }

  private static SampleEvent sample(String id, int label) {
    byte[] packed = new PackedFeatures().pack(new float[] {0.5f + label, label - 0.25f});
    return new SampleEvent(id, "u-" + id, "tiny", "t1", packed, label, 1_000L);
  }

  private static LearnerCommand erase(String requestId, String sampleId, int label) {
    ErasureEvent request = new ErasureEvent();
    request.requestId = requestId;
    request.scope = ErasureScope.SUBJECT;
    request.ids = List.of("u-" + sampleId);
    request.requestedAtMillis = 0;
    SampleEvent sample = sample(sampleId, label);
    return LearnerCommand.eraseSamples(
        MODEL,
        request,
        List.of(sampleId),
        List.of("t1"),
        new byte[][] {sample.packedFeatures},
        new int[] {label});
  }
}
