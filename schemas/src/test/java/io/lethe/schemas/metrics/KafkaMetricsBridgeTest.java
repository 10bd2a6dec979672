package io.lethe.schemas.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeCount;
import org.apache.kafka.common.metrics.stats.Value;
import org.junit.jupiter.api.Test;

class KafkaMetricsBridgeTest {

  @Test
  void shouldNameKafkaMetricsByGroupAndNameWithTagsAsLabels() {
    try (Metrics metrics = new Metrics()) {
      Map<String, String> tags = Map.of("client-id", "lethe-model-service");
      Sensor lag = metrics.sensor("lag");
      lag.add(
          new MetricName("records-lag-max", "consumer-fetch-manager-metrics", "lag", tags),
          new Value());
      lag.record(42);
      Sensor consumed = metrics.sensor("consumed");
      consumed.add(
          new MetricName("records-consumed-total", "consumer-fetch-manager-metrics", "n", tags),
          new CumulativeCount());
      consumed.record();
      consumed.record();

      String text = scrape(KafkaMetricsBridge.create().add(metrics::metrics));

      assertThat(text)
          .contains("# TYPE kafka_consumer_fetch_manager_records_lag_max gauge")
          .contains(
              "kafka_consumer_fetch_manager_records_lag_max{client_id=\"lethe-model-service\"}"
                  + " 42.0")
          .contains("# TYPE kafka_consumer_fetch_manager_records_consumed_total counter")
          .contains(
              "kafka_consumer_fetch_manager_records_consumed_total"
                  + "{client_id=\"lethe-model-service\"} 2.0");
    }
  }

  @Test
  void shouldLeaveOutTextValuesAndExcludedGroups() {
    try (Metrics metrics = new Metrics()) {
      metrics.addMetric(
          new MetricName("version", "app-info", "", Map.of()), (Gauge<String>) (c, now) -> "4.2.0");
      metrics.addMetric(
          new MetricName("pending-erasures", "lethe-ingress", "", Map.of()),
          (Gauge<Integer>) (c, now) -> 3);
      metrics.addMetric(
          new MetricName("alive-stream-threads", "stream-metrics", "", Map.of()),
          (Gauge<Integer>) (c, now) -> 1);

      String text =
          scrape(KafkaMetricsBridge.excludingGroups(Set.of("lethe-ingress")).add(metrics::metrics));

      assertThat(text)
          .contains("kafka_stream_alive_stream_threads 1.0")
          .doesNotContain("app_info_version")
          .doesNotContain("pending_erasures");
    }
  }

  @Test
  void shouldAddJvmAndProcessMetrics() {
    String text = scrape(KafkaMetricsBridge.create());

    assertThat(text)
        .contains("jvm_memory_used_bytes{area=\"heap\"}")
        .contains("# TYPE jvm_gc_collection_seconds summary")
        .contains("process_cpu_seconds_total");
  }

  private static String scrape(KafkaMetricsBridge bridge) {
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(bridge);
    return new String(new PrometheusText(registry).scrape(), StandardCharsets.UTF_8);
  }
}
