package io.lethe.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The job's settings from the command line: defaults, parsing and errors naming the option. */
class JobSettingsTest {
  private static final String[] REQUIRED = {
    "--catalog", "catalog.yaml", "--bootstrap", "localhost:9092", "--registry", "http://r:8081"
  };

  @Test
  void shouldRememberRequestIdsForSevenDaysByDefault() {
    assertThat(LearnerJobMain.parse(REQUIRED).requestIdRetention()).isEqualTo(Duration.ofDays(7));
  }

  @Test
  void shouldParseTheRequestIdRetention() {
    assertThat(LearnerJobMain.parse(with("--request-id-retention", "30d")).requestIdRetention())
        .isEqualTo(Duration.ofDays(30));
  }

  @Test
  void shouldRefuseAnInvalidRequestIdRetentionNamingTheOption() {
    assertThatThrownBy(() -> LearnerJobMain.parse(with("--request-id-retention", "0s")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--request-id-retention is ");
    assertThatThrownBy(() -> LearnerJobMain.parse(with("--request-id-retention", "soon")))
        .hasMessageStartingWith("--request-id-retention is 'soon', expected a positive duration");
  }

  private static String[] with(String option, String value) {
    String[] args = java.util.Arrays.copyOf(REQUIRED, REQUIRED.length + 2);
    args[REQUIRED.length] = option;
    args[REQUIRED.length + 1] = value;
    return args;
  }
}
