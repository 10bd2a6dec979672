package io.lethe.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The job's settings from the command line: defaults, parsing and errors naming the option. */
class JobSettingsTest {
  private static JobSettings parse(String... more) {
    String[] base = {
      "--catalog", "catalog.yaml", "--bootstrap", "localhost:9092", "--registry", "http://r:8081"
    };
    String[] args = new String[base.length + more.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    return LearnerJobMain.parse(args);
  }

  @Test
  void shouldRememberRequestIdsForSevenDaysByDefault() {
    assertThat(parse().requestIdRetention()).isEqualTo(Duration.ofDays(7));
  }

  @Test
  void shouldParseTheRequestIdRetention() {
    assertThat(parse("--request-id-retention", "30d").requestIdRetention())
        .isEqualTo(Duration.ofDays(30));
  }

  @Test
  void shouldRefuseAnInvalidRequestIdRetentionNamingTheOption() {
    assertThatThrownBy(() -> parse("--request-id-retention", "0s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--request-id-retention is ");
    assertThatThrownBy(() -> parse("--request-id-retention", "soon"))
        .hasMessageStartingWith("--request-id-retention is 'soon', expected a positive duration");
  }

  @Test
  void shouldPublishHeartbeatsEveryTwoSecondsByDefault() {
    assertThat(parse().heartbeatInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(parse("--heartbeat-interval", "500ms").heartbeatInterval())
        .isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void shouldRefuseAHeartbeatIntervalTooLongToNoticeAStoppedLearnerInTime() {
    assertThatThrownBy(() -> parse("--heartbeat-interval", "10s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "--heartbeat-interval is 10000ms, expected at most 5000ms so that a stopped learner"
                + " is noticed within 30 seconds");
    assertThatThrownBy(() -> parse("--heartbeat-interval", "0s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "--heartbeat-interval is '0s', expected a positive duration like 500ms, 30s, 10m, 1h"
                + " or 7d");
  }
}
