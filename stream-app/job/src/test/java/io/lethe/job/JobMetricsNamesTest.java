package io.lethe.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.testing.MetricsDoc;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The job's metric names, as Flink's Prometheus reporter names them, are the ones docs/metrics.md
 * promises: operator metrics as {@code flink_taskmanager_job_task_operator_<name>}, and per-model
 * metrics as {@code flink_taskmanager_job_task_operator_model_<name>} with a {@code model} label.
 */
class JobMetricsNamesTest {
  private static final String OPERATOR = "flink_taskmanager_job_task_operator_";

  @Test
  void shouldNameExactlyTheJobMetricsOfTheDocsTable() {
    Map<String, String> declared = new TreeMap<>();
    JobMetrics.OPERATOR_METRICS.forEach(m -> declared.put(OPERATOR + m, "counter []"));
    JobMetrics.MODEL_METRICS.forEach(
        m -> declared.put(OPERATOR + JobMetrics.MODEL_GROUP + "_" + m, "gauge [model]"));

    Map<String, String> documented = new TreeMap<>();
    MetricsDoc.letheMetrics().values().stream()
        .filter(row -> row.name().startsWith(OPERATOR))
        .forEach(
            row -> {
              assertThat(row.flinkScope()).as(row.name() + " has Flink's scope labels").isTrue();
              documented.put(row.name(), row.type() + " " + row.labels());
            });

    assertThat(declared).isEqualTo(documented);
  }
}
