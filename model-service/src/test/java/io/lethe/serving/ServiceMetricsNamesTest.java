package io.lethe.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.testing.MetricsDoc;
import io.prometheus.metrics.core.metrics.MetricWithFixedMetadata;
import io.prometheus.metrics.model.registry.MetricType;
import java.lang.reflect.Field;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The service's metric names are the ones docs/metrics.md promises, with their types and labels.
 */
class ServiceMetricsNamesTest {

  @Test
  void shouldDeclareExactlyTheServingMetricsOfTheDocsTable() throws Exception {
    ServiceMetrics metrics = new ServiceMetrics();
    Map<String, MetricsDoc.Row> declared = new TreeMap<>();
    for (Field field : ServiceMetrics.class.getDeclaredFields()) {
      if (MetricWithFixedMetadata.class.isAssignableFrom(field.getType())) {
        MetricWithFixedMetadata metric = (MetricWithFixedMetadata) field.get(metrics);
        MetricType type = metric.getMetricType();
        String name = metric.getPrometheusName() + (type == MetricType.COUNTER ? "_total" : "");
        declared.put(
            name,
            new MetricsDoc.Row(
                name,
                type.name().toLowerCase(Locale.ROOT),
                metric.getLabelNames().stream().sorted().toList(),
                false));
      }
    }
    Map<String, MetricsDoc.Row> documented = new TreeMap<>();
    MetricsDoc.letheMetrics().values().stream()
        .filter(row -> row.name().startsWith("lethe_serving_"))
        .forEach(
            row ->
                documented.put(
                    row.name(),
                    new MetricsDoc.Row(
                        row.name(), row.type(), row.labels().stream().sorted().toList(), false)));

    assertThat(declared).isNotEmpty().isEqualTo(documented);
    assertThat(new HashSet<>(declared.keySet())).allMatch(n -> n.startsWith("lethe_serving_"));
  }
}
