package io.lethe.job.learner;

import io.lethe.catalog.DatasetSpec;
import io.lethe.catalog.ModelCatalog;
import io.lethe.catalog.ModelSpec;
import io.lethe.catalog.SnapshotPolicy;
import io.lethe.job.events.KafkaOut;
import io.lethe.job.events.LearnerCommand;
import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.records.LearnerKind;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * The {@link LearnerOperator} of {@code catalog} in Flink's keyed operator test harness, with its
 * per-model gauges readable (every model's gauges land in one group: use one model per harness).
 */
final class LearnerOperatorHarness implements AutoCloseable {
  private final InterceptingOperatorMetricGroup modelMetrics =
      new InterceptingOperatorMetricGroup();
  private final InterceptingOperatorMetricGroup metrics =
      new InterceptingOperatorMetricGroup() {
        @Override
        public MetricGroup addGroup(String key, String value) {
          return modelMetrics;
        }
      };
  private final MockEnvironment environment;
  final KeyedOneInputStreamOperatorTestHarness<String, LearnerCommand, KafkaOut> harness;

  /** Opens the operator, from {@code restored} state if not null. */
  LearnerOperatorHarness(ModelCatalog catalog, int microBatch, OperatorSubtaskState restored)
      throws Exception {
    this(catalog, microBatch, restored, new CatalogLearners());
  }

  /** Opens the operator with the learners {@code learners} makes. */
  LearnerOperatorHarness(
      ModelCatalog catalog, int microBatch, OperatorSubtaskState restored, LearnerFactory learners)
      throws Exception {
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
            new LearnerOperator(
                catalog,
                learners,
                microBatch,
                new Heartbeats(Duration.ofHours(1), Duration.ofHours(1))),
            c -> c.model,
            Types.STRING,
            environment);
    if (restored != null) {
      harness.initializeState(restored);
    }
    harness.open();
  }

  /**
   * A catalog of one small analytic model {@code model} (dataset "tiny": 2 features, 2 classes; d_E
   * 16) publishing by {@code policy}.
   */
  static ModelCatalog tinyAnalytic(String model, SnapshotPolicy policy) {
    return ModelCatalog.of(
        List.of(new DatasetSpec("tiny", 2, 2)),
        List.of(
            ModelSpec.of(model, LearnerKind.ANALYTIC, "tiny")
                .withSnapshot(policy)
                .with(AnalyticSettings.BUFFER_SIZE, 16)
                .with(AnalyticSettings.GAMMA, 0.1)
                .with(AnalyticSettings.SEED, 7L)));
  }

  /** The value of the model's gauge {@code name} (a {@code JobMetrics} per-model name). */
  long modelGauge(String name) {
    @SuppressWarnings("unchecked")
    Gauge<Long> gauge = (Gauge<Long>) modelMetrics.get(name);
    return gauge.getValue();
  }

  List<KafkaOut> outputs(KafkaOut.Kind kind) {
    return harness.extractOutputValues().stream().filter(o -> o.kind == kind).toList();
  }

  @Override
  public void close() throws Exception {
    harness.close();
    environment.close();
  }
}
