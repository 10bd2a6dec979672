package io.lethe.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings validation: every error names the key, the value and what is allowed. */
class IngressSettingsTest {

  @Test
  void shouldReadDurationsAndSizesFromText() {
    IngressSettings settings =
        IngressSettings.fromStrings(
            Map.of(
                IngressSettings.DEDUPE_WINDOW, "30m",
                IngressSettings.PENDING_TIMEOUT, "90s",
                IngressSettings.MAX_RECORD_BYTES, "2048",
                IngressSettings.RECEIPT_RETENTION, "2d"));

    assertThat(settings)
        .isEqualTo(
            new IngressSettings(
                Duration.ofMinutes(30), Duration.ofSeconds(90), 2048, Duration.ofDays(2)));
  }

  @Test
  void shouldUseDefaultsForAbsentKeys() {
    assertThat(IngressSettings.fromStrings(Map.of())).isEqualTo(IngressSettings.defaults());
  }

  @Test
  void shouldNameTheKeyOfABadDuration() {
    assertThatThrownBy(
            () -> IngressSettings.fromStrings(Map.of(IngressSettings.DEDUPE_WINDOW, "ten minutes")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "ingress setting dedupe-window is 'ten minutes', expected a positive duration like"
                + " 500ms, 30s, 10m, 1h or 7d");
  }

  @Test
  void shouldRejectAZeroTimeout() {
    assertThatThrownBy(
            () -> new IngressSettings(Duration.ofHours(1), Duration.ZERO, 1024, Duration.ofDays(1)))
        .hasMessage(
            "ingress setting pending-timeout is 0ms, expected a positive duration like 500ms, 30s,"
                + " 10m, 1h or 7d");
  }

  @Test
  void shouldRejectANonPositiveRecordLimit() {
    assertThatThrownBy(
            () -> IngressSettings.fromStrings(Map.of(IngressSettings.MAX_RECORD_BYTES, "-5")))
        .hasMessage("ingress setting max-record-bytes is '-5', expected an integer >= 1");
  }

  @Test
  void shouldRejectAnUnknownKey() {
    assertThatThrownBy(() -> IngressSettings.fromStrings(Map.of("lethe.ingress.window", "1h")))
        .hasMessage(
            "ingress setting lethe.ingress.window is not a known setting; expected one of"
                + " [dedupe-window, max-record-bytes, pending-timeout, receipt-retention]");
  }
}
