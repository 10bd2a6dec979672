package io.lethe.catalog;

import io.lethe.config.Durations;
import io.lethe.learners.settings.Bounds;
import io.lethe.learners.settings.SettingDef;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * When a model publishes a new snapshot: after {@code everySamples} learned samples, or {@code
 * interval} after the first unpublished change, and at most {@code afterErasure} after an erasure
 * was applied (whichever comes first). Its catalog keys are declared once, in {@link #SETTINGS}.
 */
public record SnapshotPolicy(long everySamples, Duration interval, Duration afterErasure)
    implements Serializable {

  /** Samples between snapshots. */
  public static final SettingDef<Long> EVERY_SAMPLES =
      SettingDef.longInteger(
          "every-samples", 10_000L, Bounds.atLeast(1), "publish after this many learned samples");

  /** Time between snapshots while the model changes. */
  public static final SettingDef<Duration> INTERVAL =
      Durations.setting(
          "interval",
          Duration.ofSeconds(10),
          "publish this long after the first unpublished change");

  /** Bound on the delay after an erasure. */
  public static final SettingDef<Duration> AFTER_ERASURE =
      Durations.setting(
          "after-erasure",
          Duration.ofSeconds(1),
          "publish at most this long after an erasure was applied");

  /** Every key of a model's {@code snapshot} section, in order. */
  public static final List<SettingDef<?>> SETTINGS =
      List.of(EVERY_SAMPLES, INTERVAL, AFTER_ERASURE);

  /** Checks every value against its declaration. */
  public SnapshotPolicy {
    EVERY_SAMPLES.validate("snapshot.", everySamples);
    INTERVAL.validate("snapshot.", interval);
    AFTER_ERASURE.validate("snapshot.", afterErasure);
  }

  /** The declared defaults. */
  public static SnapshotPolicy defaults() {
    return new SnapshotPolicy(
        EVERY_SAMPLES.defaultValue().orElseThrow(),
        INTERVAL.defaultValue().orElseThrow(),
        AFTER_ERASURE.defaultValue().orElseThrow());
  }
}
