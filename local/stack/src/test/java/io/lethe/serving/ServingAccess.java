package io.lethe.serving;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.lang.reflect.Field;
import java.util.Set;
import java.util.TreeSet;

/**
 * Test access to the model service's package-private command-line parser and metrics, for tests in
 * other modules that check deployment files against them.
 */
public final class ServingAccess {
  private ServingAccess() {}

  /** {@code lethe serve}'s own parser: the settings the given options produce. */
  public static ServingSettings parseServeOptions(String... args) {
    return ServeOptions.parse(args);
  }

  /**
   * The series names {@code /metrics} exposes, read from the metrics {@link ServiceMetrics}
   * registers: counters with {@code _total}, histograms with {@code _bucket}, {@code _sum} and
   * {@code _count}.
   */
  public static Set<String> exportedSeries() throws IllegalAccessException {
    ServiceMetrics metrics = new ServiceMetrics();
    Set<String> series = new TreeSet<>();
    for (Field field : ServiceMetrics.class.getDeclaredFields()) {
      if (!Collector.class.isAssignableFrom(field.getType())) {
        continue;
      }
      field.setAccessible(true);
      MetricSnapshot snapshot = ((Collector) field.get(metrics)).collect();
      String name = snapshot.getMetadata().getPrometheusName();
      if (snapshot instanceof CounterSnapshot) {
        series.add(name + "_total");
      } else if (snapshot instanceof GaugeSnapshot) {
        series.add(name);
      } else if (snapshot instanceof HistogramSnapshot) {
        series.add(name + "_bucket");
        series.add(name + "_sum");
        series.add(name + "_count");
      } else {
        throw new IllegalStateException("unexpected metric type of " + name + ": " + snapshot);
      }
    }
    return series;
  }
}
