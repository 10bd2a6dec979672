package io.lethe.schemas.metrics;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A component's {@code /metrics}: its own registry together with the JVM's and the process's
 * metrics ({@code jvm_*}, {@code process_*}), in the Prometheus text format.
 *
 * <p>The JVM metrics sit in a registry of their own: Prometheus' {@link JvmMetrics} remembers every
 * registry it was registered with for the life of the JVM, so it gets a small one that holds
 * nothing else, rather than the component's, which holds references to the component.
 */
public final class PrometheusText {
  /** Content type of {@link #scrape}. */
  public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

  private final PrometheusRegistry registry;
  private final PrometheusRegistry jvm = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  /** The exposition of {@code registry} and of this JVM. */
  public PrometheusText(PrometheusRegistry registry) {
    this.registry = registry;
    JvmMetrics.builder().register(jvm);
  }

  /** The current values in the Prometheus text format. */
  public byte[] scrape() {
    MetricSnapshots.Builder all = MetricSnapshots.builder();
    registry.scrape().forEach(all::metricSnapshot);
    jvm.scrape().forEach(all::metricSnapshot);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writer.write(out, all.build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
