package io.lethe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.learners.settings.SettingDef;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DurationsTest {

  @Test
  void shouldFormatInTheLargestExactUnitAndReadItBack() {
    for (Duration d :
        List.of(
            Duration.ofMillis(500),
            Duration.ofMillis(1500),
            Duration.ofSeconds(90),
            Duration.ofMinutes(10),
            Duration.ofHours(1),
            Duration.ofDays(7))) {
      assertThat(Durations.parse(Durations.format(d))).contains(d);
    }
    assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(Durations.format(Duration.ofDays(7))).isEqualTo("7d");
  }

  @Test
  void shouldDeclareADurationSettingThatNamesItsKeyInErrors() {
    SettingDef<Duration> interval = Durations.setting("interval", Duration.ofSeconds(10), "doc");

    assertThat(interval.parse("", "2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(interval.defaultText()).isEqualTo("10s");
    assertThatThrownBy(() -> interval.parse("models[0].snapshot.", "0s"))
        .hasMessage(
            "models[0].snapshot.interval is '0s', expected a positive duration like 500ms, 30s,"
                + " 10m, 1h or 7d");
  }
}
