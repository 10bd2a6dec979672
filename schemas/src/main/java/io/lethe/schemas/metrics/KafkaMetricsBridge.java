package io.lethe.schemas.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * The Kafka clients' own metrics (a consumer's, producer's, admin client's, or Kafka Streams' with
 * its clients') as Prometheus metrics, read at each scrape from the clients' {@code metrics()}
 * maps. Prometheus' Java client has no Kafka bridge, and Kafka's own reporters speak JMX only.
 *
 * <p>The naming rule, also in {@code docs/metrics.md}: {@code kafka_} + the group without a
 * trailing {@code -metrics} + {@code _} + the name, every character other than a letter or a digit
 * turned into {@code _}; tags become labels the same way ({@code client-id} is {@code client_id}).
 * So the consumer's {@code records-lag-max} in group {@code consumer-fetch-manager-metrics} is
 * {@code kafka_consumer_fetch_manager_records_lag_max}. A name ending in {@code -total} is a
 * counter (Kafka's convention for cumulative values, next to the {@code -rate} of the same thing);
 * everything else is a gauge. Only numeric values are exported: Kafka's few text-valued metrics
 * (versions, commit ids, thread states as strings) are left out, and so are negative or infinite
 * counters.
 */
public final class KafkaMetricsBridge implements MultiCollector {
  private final List<Supplier<? extends Map<MetricName, ? extends Metric>>> sources =
      new CopyOnWriteArrayList<>();
  private final Set<String> excludedGroups;

  private KafkaMetricsBridge(Set<String> excludedGroups) {
    this.excludedGroups = Set.copyOf(excludedGroups);
  }

  /** A bridge without sources yet; add them with {@link #add}. */
  public static KafkaMetricsBridge create() {
    return new KafkaMetricsBridge(Set.of());
  }

  /**
   * A bridge that leaves out the metrics of {@code groups}, e.g. an application's own group that it
   * exports under names of its own.
   */
  public static KafkaMetricsBridge excludingGroups(Set<String> groups) {
    return new KafkaMetricsBridge(groups);
  }

  /**
   * Exports the metrics of one more client, e.g. {@code consumer::metrics}. The supplier is called
   * at every scrape, from the scraping thread; Kafka's metric maps allow that.
   */
  public KafkaMetricsBridge add(Supplier<? extends Map<MetricName, ? extends Metric>> metrics) {
    sources.add(metrics);
    return this;
  }

  /**
   * The Prometheus name of a Kafka metric, without the {@code _total} a counter gets in the text
   * format.
   */
  public static String prometheusName(MetricName name) {
    String group = name.group();
    if (group.endsWith("-metrics")) {
      group = group.substring(0, group.length() - "-metrics".length());
    }
    String metric = name.name();
    if (isCounter(name)) {
      metric = metric.substring(0, metric.length() - "-total".length());
    }
    return "kafka_" + sanitize(group) + "_" + sanitize(metric);
  }

  /** Whether Kafka's naming makes the metric a counter: its name ends in {@code -total}. */
  public static boolean isCounter(MetricName name) {
    return name.name().endsWith("-total") && name.name().length() > "-total".length();
  }

  /**
   * {@code text} with every character other than an ASCII letter or digit replaced by {@code _}.
   */
  static String sanitize(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      sb.append(alnum ? c : '_');
    }
    return sb.toString().toLowerCase(Locale.ROOT);
  }

  @Override
  public MetricSnapshots collect() {
    Map<String, Family> families = new TreeMap<>();
    for (Supplier<? extends Map<MetricName, ? extends Metric>> source : sources) {
      Map<MetricName, ? extends Metric> metrics = source.get();
      if (metrics == null) {
        continue;
      }
      for (Map.Entry<MetricName, ? extends Metric> entry : metrics.entrySet()) {
        MetricName name = entry.getKey();
        if (excludedGroups.contains(name.group())) {
          continue;
        }
        Object value;
        try {
          value = entry.getValue().metricValue();
        } catch (RuntimeException e) {
          continue; // a metric of a client closing under us
        }
        if (!(value instanceof Number number)) {
          continue;
        }
        boolean counter = isCounter(name);
        double v = number.doubleValue();
        if (counter && !(v >= 0 && v < Double.POSITIVE_INFINITY)) {
          continue;
        }
        Family family =
            families.computeIfAbsent(
                prometheusName(name), n -> new Family(n, counter, name.description()));
        if (family.counter != counter) {
          continue; // "x" and "x-total" in one group: keep the first kind seen
        }
        family.add(labels(name.tags()), v);
      }
    }
    List<MetricSnapshot> snapshots = new ArrayList<>(families.size());
    families.values().forEach(f -> snapshots.add(f.snapshot()));
    return new MetricSnapshots(snapshots);
  }

  private static Labels labels(Map<String, String> tags) {
    Map<String, String> labels = new TreeMap<>();
    tags.forEach((k, v) -> labels.putIfAbsent(sanitize(k), v == null ? "" : v));
    return Labels.of(
        labels.keySet().toArray(String[]::new), labels.values().toArray(String[]::new));
  }

  /** The data points of one Prometheus family, one per label set. */
  private static final class Family {
    final String name;
    final boolean counter;
    final String help;
    final Map<Labels, Double> points = new LinkedHashMap<>();

    Family(String name, boolean counter, String help) {
      this.name = name;
      this.counter = counter;
      this.help = help == null || help.isBlank() ? null : help;
    }

    void add(Labels labels, double value) {
      points.putIfAbsent(labels, value);
    }

    MetricSnapshot snapshot() {
      if (counter) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        points.forEach(
            (labels, value) ->
                b.dataPoint(
                    CounterSnapshot.CounterDataPointSnapshot.builder()
                        .labels(labels)
                        .value(value)
                        .build()));
        return b.build();
      }
      GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
      points.forEach(
          (labels, value) ->
              b.dataPoint(
                  GaugeSnapshot.GaugeDataPointSnapshot.builder()
                      .labels(labels)
                      .value(value)
                      .build()));
      return b.build();
    }
  }
}
