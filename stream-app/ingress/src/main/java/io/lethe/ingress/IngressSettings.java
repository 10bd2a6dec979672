package io.lethe.ingress;

import io.lethe.config.Durations;
import io.lethe.learners.settings.Bounds;
import io.lethe.learners.settings.SettingDef;
import io.lethe.learners.settings.SettingValues;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The ingress's own settings, each declared once in {@link #SETTINGS} (key, default, bounds, doc)
 * and validated once; every error names the key, the value and what is allowed. The command-line
 * option of a setting is {@code --} and its key ({@link SettingDef#cliOption()}).
 *
 * @param dedupeWindow a sample whose id was accepted less than this long before (by record time) is
 *     a duplicate; key {@value #DEDUPE_WINDOW}
 * @param pendingTimeout an erasure request still waiting for models after this long (wall-clock) is
 *     reported as overdue; key {@value #PENDING_TIMEOUT}
 * @param maxRecordBytes largest accepted raw record, key plus value bytes; key {@value
 *     #MAX_RECORD_BYTES}
 * @param receiptRetention how long finished requests stay queryable in the state store after their
 *     receipt; key {@value #RECEIPT_RETENTION}
 */
public record IngressSettings(
    Duration dedupeWindow, Duration pendingTimeout, int maxRecordBytes, Duration receiptRetention) {

  /** Key of {@link #dedupeWindow()}. */
  public static final String DEDUPE_WINDOW = "dedupe-window";

  /** Key of {@link #pendingTimeout()}. */
  public static final String PENDING_TIMEOUT = "pending-timeout";

  /** Key of {@link #maxRecordBytes()}. */
  public static final String MAX_RECORD_BYTES = "max-record-bytes";

  /** Key of {@link #receiptRetention()}. */
  public static final String RECEIPT_RETENTION = "receipt-retention";

  /** Declaration of {@link #dedupeWindow()}. */
  public static final SettingDef<Duration> DEDUPE_WINDOW_SETTING =
      Durations.setting(
          DEDUPE_WINDOW,
          Duration.ofHours(1),
          "a sample id accepted less than this long before (record time) is a duplicate");

  /** Declaration of {@link #pendingTimeout()}. */
  public static final SettingDef<Duration> PENDING_TIMEOUT_SETTING =
      Durations.setting(
          PENDING_TIMEOUT,
          Duration.ofMinutes(5),
          "report erasure requests still pending after this long (wall clock)");

  /** Declaration of {@link #maxRecordBytes()}: 1 MiB, Kafka's default. */
  public static final SettingDef<Integer> MAX_RECORD_BYTES_SETTING =
      SettingDef.integer(
          MAX_RECORD_BYTES,
          1024 * 1024,
          Bounds.atLeast(1),
          "largest accepted raw record, key plus value bytes");

  /** Declaration of {@link #receiptRetention()}. */
  public static final SettingDef<Duration> RECEIPT_RETENTION_SETTING =
      Durations.setting(
          RECEIPT_RETENTION,
          Duration.ofDays(7),
          "how long finished requests (and their ids) stay queryable after their receipt");

  /** Every setting, in record order. */
  public static final List<SettingDef<?>> SETTINGS =
      List.of(
          DEDUPE_WINDOW_SETTING,
          PENDING_TIMEOUT_SETTING,
          MAX_RECORD_BYTES_SETTING,
          RECEIPT_RETENTION_SETTING);

  private static final String WHERE = "ingress setting ";

  /** Checks every setting against its declaration. */
  public IngressSettings {
    DEDUPE_WINDOW_SETTING.validate(WHERE, dedupeWindow);
    PENDING_TIMEOUT_SETTING.validate(WHERE, pendingTimeout);
    MAX_RECORD_BYTES_SETTING.validate(WHERE, maxRecordBytes);
    RECEIPT_RETENTION_SETTING.validate(WHERE, receiptRetention);
  }

  /** The declared defaults. */
  public static IngressSettings defaults() {
    return fromStrings(Map.of());
  }

  /**
   * Settings from string values by key (e.g. command-line options), defaults for absent keys.
   * Durations are written like {@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h} or {@code 7d}.
   *
   * @throws IllegalArgumentException naming the key for an unknown key or a bad value
   */
  public static IngressSettings fromStrings(Map<String, String> values) {
    SettingValues parsed = SettingValues.parse(WHERE, SETTINGS, values);
    return new IngressSettings(
        parsed.get(DEDUPE_WINDOW_SETTING),
        parsed.get(PENDING_TIMEOUT_SETTING),
        parsed.get(MAX_RECORD_BYTES_SETTING),
        parsed.get(RECEIPT_RETENTION_SETTING));
  }
}
