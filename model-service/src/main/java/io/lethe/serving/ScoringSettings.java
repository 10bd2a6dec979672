package io.lethe.serving;

import io.lethe.learners.analytic.BufferPrecision;
import io.lethe.learners.settings.Bounds;
import io.lethe.learners.settings.SettingDef;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How the model service scores: how concurrent requests are batched ({@link RequestBatcher}) and
 * the precision of the analytic model's buffer layer.
 *
 * @param maxBatch most rows scored in one product (1: every request is scored alone)
 * @param batchWait longest time the first request of a batch waits for others to join it; it waits
 *     only while other requests for the same version are on their way
 * @param bufferPrecision the buffer layer's precision ({@link BufferPrecision})
 */
public record ScoringSettings(int maxBatch, Duration batchWait, BufferPrecision bufferPrecision) {

  /** Most rows per product. */
  public static final SettingDef<Integer> MAX_BATCH =
      SettingDef.integer(
          "max-batch",
          64,
          Bounds.closed(1, 4096),
          "most rows the service scores in one product, concurrent requests batched together"
              + " (1: no batching)");

  /** The leader's wait. */
  public static final SettingDef<Integer> BATCH_WAIT_MICROS =
      SettingDef.integer(
          "batch-wait-micros",
          200,
          Bounds.closed(0, 100_000),
          "microseconds the first request of a batch waits for concurrent ones to join (only while"
              + " others are on their way)");

  /** The buffer layer's precision. */
  public static final SettingDef<String> BUFFER_PRECISION =
      SettingDef.text(
          "buffer-precision",
          "float32",
          Pattern.compile("float32|float64"),
          "float32 or float64",
          "precision of the analytic model's buffer layer at serving time (float64: bit-identical"
              + " to the learner; float32: the same labels, about twice as fast)");

  /** The declarations, in record order. */
  public static final List<SettingDef<?>> SETTINGS =
      List.of(MAX_BATCH, BATCH_WAIT_MICROS, BUFFER_PRECISION);

  /** Checks the fields against their declarations. */
  public ScoringSettings {
    MAX_BATCH.validate("", maxBatch);
    Objects.requireNonNull(batchWait, "batchWait");
    if (batchWait.isNegative() || batchWait.toNanos() > 100_000_000L) {
      throw new IllegalArgumentException(
          BATCH_WAIT_MICROS.key() + " must be 0 to 100000 microseconds, got " + batchWait);
    }
    Objects.requireNonNull(bufferPrecision, "bufferPrecision");
  }

  /** The declared defaults. */
  public static ScoringSettings defaults() {
    return new ScoringSettings(
        MAX_BATCH.defaultValue().orElseThrow(),
        Duration.ofNanos(1_000L * BATCH_WAIT_MICROS.defaultValue().orElseThrow()),
        precision(BUFFER_PRECISION.defaultValue().orElseThrow()));
  }

  /** As the service scored before batching: each request alone, float64 (a baseline). */
  public static ScoringSettings unbatched() {
    return new ScoringSettings(1, Duration.ZERO, BufferPrecision.FLOAT64);
  }

  /** A precision by its setting value, {@code float32} or {@code float64}. */
  public static BufferPrecision precision(String value) {
    return BufferPrecision.valueOf(BUFFER_PRECISION.validate("", value).toUpperCase(Locale.ROOT));
  }
}
