package io.lethe.ingress;

import io.lethe.config.Durations;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The ingress's own settings, validated once; every error names the key, the value and what is
 * allowed.
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
  public static final String DEDUPE_WINDOW = "lethe.ingress.dedupe.window";

  /** Key of {@link #pendingTimeout()}. */
  public static final String PENDING_TIMEOUT = "lethe.ingress.erasure.pending.timeout";

  /** Key of {@link #maxRecordBytes()}. */
  public static final String MAX_RECORD_BYTES = "lethe.ingress.max.record.bytes";

  /** Key of {@link #receiptRetention()}. */
  public static final String RECEIPT_RETENTION = "lethe.ingress.receipt.retention";

  /** Checks every setting. */
  public IngressSettings {
    requirePositive(DEDUPE_WINDOW, dedupeWindow);
    requirePositive(PENDING_TIMEOUT, pendingTimeout);
    requirePositive(RECEIPT_RETENTION, receiptRetention);
    if (maxRecordBytes <= 0) {
      throw invalid(MAX_RECORD_BYTES, String.valueOf(maxRecordBytes), "an integer > 0");
    }
  }

  /**
   * One hour of de-duplication, 5 minutes before an erasure counts as overdue, 1 MiB records (the
   * Kafka default), receipts queryable for 7 days.
   */
  public static IngressSettings defaults() {
    return new IngressSettings(
        Duration.ofHours(1), Duration.ofMinutes(5), 1024 * 1024, Duration.ofDays(7));
  }

  /**
   * Settings from string values by key (e.g. command-line options), defaults for absent keys.
   * Durations are written like {@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h} or {@code 7d}.
   *
   * @throws IllegalArgumentException naming the key for an unknown key or a bad value
   */
  public static IngressSettings fromStrings(Map<String, String> values) {
    IngressSettings defaults = defaults();
    for (String key : values.keySet()) {
      if (!key.equals(DEDUPE_WINDOW)
          && !key.equals(PENDING_TIMEOUT)
          && !key.equals(MAX_RECORD_BYTES)
          && !key.equals(RECEIPT_RETENTION)) {
        throw new IllegalArgumentException(
            "unknown ingress setting '"
                + key
                + "', expected one of "
                + DEDUPE_WINDOW
                + ", "
                + PENDING_TIMEOUT
                + ", "
                + MAX_RECORD_BYTES
                + ", "
                + RECEIPT_RETENTION);
      }
    }
    return new IngressSettings(
        duration(values, DEDUPE_WINDOW, defaults.dedupeWindow()),
        duration(values, PENDING_TIMEOUT, defaults.pendingTimeout()),
        integer(values, MAX_RECORD_BYTES, defaults.maxRecordBytes()),
        duration(values, RECEIPT_RETENTION, defaults.receiptRetention()));
  }

  private static Duration duration(Map<String, String> values, String key, Duration fallback) {
    String text = values.get(key);
    if (text == null) {
      return fallback;
    }
    return Durations.parse(text).orElseThrow(() -> invalid(key, text, Durations.EXPECTED));
  }

  private static int integer(Map<String, String> values, String key, int fallback) {
    String text = values.get(key);
    if (text == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw invalid(key, text, "an integer > 0");
    }
  }

  private static void requirePositive(String key, Duration value) {
    Objects.requireNonNull(value, key);
    if (value.isNegative() || value.isZero()) {
      throw invalid(key, value.toString(), "a positive duration");
    }
  }

  private static IllegalArgumentException invalid(String key, String value, String allowed) {
    return new IllegalArgumentException(
        "ingress setting " + key + " is '" + value + "', expected " + allowed);
  }
}
