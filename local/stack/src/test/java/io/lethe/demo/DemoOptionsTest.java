package io.lethe.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DemoOptionsTest {

  @Test
  void shouldDefaultToBothModelsAndFiveTasks() {
    DemoOptions options = DemoOptions.defaults();
    assertThat(options.models()).containsExactly("analytic", "hypernet");
    assertThat(options.tasks()).isEqualTo(5);
    assertThat(options.samplesPerTask()).isEqualTo(2000);
    assertThat(options.dashboardPort()).isEqualTo(8081);
    assertThat(options.servePort()).isEqualTo(8080);
    assertThat(options.keepRunning()).isFalse();
  }

  @Test
  void shouldNameTheOptionInEveryError() {
    assertThatThrownBy(() -> DemoOptions.parse("--tasks", "6"))
        .hasMessage("option --tasks is '6', expected a whole number 2-5");
    assertThatThrownBy(() -> DemoOptions.parse("--tasks", "1"))
        .hasMessage("option --tasks is '1', expected a whole number 2-5");
    assertThatThrownBy(() -> DemoOptions.parse("--models", "analytic,svm"))
        .hasMessage(
            "option --models is 'analytic,svm', expected analytic, hypernet or analytic,hypernet");
    assertThatThrownBy(() -> DemoOptions.parse("--rate")).hasMessage("option --rate needs a value");
    assertThatThrownBy(() -> DemoOptions.parse("--fast")).hasMessage("unknown option '--fast'");
  }

  @Test
  void shouldReadTheFlags() {
    DemoOptions options =
        DemoOptions.parse("--models", "analytic", "--keep-running", "--serve-port", "0");
    assertThat(options.analytic()).isTrue();
    assertThat(options.hypernet()).isFalse();
    assertThat(options.keepRunning()).isTrue();
    assertThat(options.servePort()).isZero();
  }
}
