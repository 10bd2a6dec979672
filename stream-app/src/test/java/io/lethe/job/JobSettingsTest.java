package io.lethe.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.learners.settings.SettingDef;
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

  @Test
  void shouldTakeEveryDeclaredSettingAsItsCommandLineOption() {
    for (SettingDef<?> setting : JobSettings.SETTINGS) {
      JobSettings parsed = parse(setting.cliOption(), changed(setting));
      assertThat(parsed).as(setting.cliOption()).isNotEqualTo(parse());
    }
  }

  /** Text of a valid value other than the default: its number one lower, or 2 for 1. */
  private static <T> String changed(SettingDef<T> setting) {
    String text = setting.format(setting.defaultValue().orElseThrow());
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(.*)").matcher(text);
    assertThat(m.matches()).as(text).isTrue();
    long n = Long.parseLong(m.group(1));
    return (n == 1 ? 2 : n - 1) + m.group(2);
  }
}
