package io.lethe.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.testing.MetricsDoc;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The ingress's metric names are the ones docs/metrics.md promises, with their types and labels.
 */
class IngressMetricsNamesTest {

  @Test
  void shouldExportExactlyTheIngressMetricsOfTheDocsTable() {
    Map<String, MetricsDoc.Row> exported = new TreeMap<>();
    for (IngressPrometheus.Family family : IngressPrometheus.FAMILIES) {
      exported.put(
          family.name(),
          new MetricsDoc.Row(
              family.name(),
              family.type().name().toLowerCase(Locale.ROOT),
              family.labels().stream().sorted().toList(),
              false));
    }
    Map<String, MetricsDoc.Row> documented = new TreeMap<>();
    MetricsDoc.letheMetrics().values().stream()
        .filter(row -> row.name().startsWith("lethe_ingress_"))
        .forEach(
            row ->
                documented.put(
                    row.name(),
                    new MetricsDoc.Row(
                        row.name(), row.type(), row.labels().stream().sorted().toList(), false)));

    assertThat(exported).isNotEmpty().isEqualTo(documented);
  }
}
