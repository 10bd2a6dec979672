package io.lethe.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.learners.hypernet.HypernetSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoOptionsTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  /** Runs {@code lethe demo}; with these tests' arguments it stops before starting anything. */
  private int run(String... args) {
    return DemoMain.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void shouldDefaultToBothModelsAndFiveTasks() {
    DemoOptions options = DemoOptions.defaults();
    assertThat(options.models()).containsExactly("analytic", "hypernet");
    assertThat(options.tasks()).isEqualTo(5);
    assertThat(options.samplesPerTask()).isEqualTo(2000);
    assertThat(options.dashboardPort()).isEqualTo(8081);
    assertThat(options.servePort()).isEqualTo(8080);
    assertThat(options.metricsPort()).isEqualTo(9249);
    assertThat(options.keepRunning()).isFalse();
    assertThat(options.stepsPerTask())
        .as("the hypernetwork's own default")
        .isEqualTo(HypernetSettings.STEPS_PER_TASK.defaultValue().orElseThrow());
  }

  @Test
  void shouldNameTheOptionInEveryError() {
    assertThatThrownBy(() -> DemoOptions.parse("--tasks", "6"))
        .hasMessage("Invalid value for option '--tasks': '6' is not a whole number from 2 to 5");
    assertThatThrownBy(() -> DemoOptions.parse("--tasks", "1"))
        .hasMessage("Invalid value for option '--tasks': '1' is not a whole number from 2 to 5");
    assertThatThrownBy(() -> DemoOptions.parse("--models", "analytic,svm"))
        .hasMessage(
            "Invalid value for option '--models': 'analytic,svm' is not analytic, hypernet or"
                + " analytic,hypernet");
    assertThatThrownBy(() -> DemoOptions.parse("--steps-per-task", "-1"))
        .hasMessageStartingWith("Invalid value for option '--steps-per-task': '-1'");
    assertThatThrownBy(() -> DemoOptions.parse("--rate"))
        .hasMessage("Missing required parameter for option '--rate' (N)");
    assertThat(run("--fast")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo("lethe demo: Unknown option: '--fast'; see 'lethe demo --help'\n");
  }

  @Test
  void shouldReadTheFlags() {
    DemoOptions options =
        DemoOptions.parse(
            "--models",
            "analytic",
            "--keep-running",
            "--serve-port",
            "0",
            "--metrics-port",
            "0",
            "--steps-per-task",
            "0");
    assertThat(options.stepsPerTask()).isZero();
    assertThat(options.analytic()).isTrue();
    assertThat(options.metricsPort()).isZero();
    assertThat(options.hypernet()).isFalse();
    assertThat(options.keepRunning()).isTrue();
    assertThat(options.servePort()).isZero();
  }

  @Test
  void shouldPrintTheUsageForHelpWithoutRunning() {
    assertThat(run("--help")).isZero();
    assertThat(run("-h")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .startsWith("Usage: lethe demo")
        .contains("--samples-per-task=N", "Exit codes:");
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void shouldReadAConfigFileThatTheCommandLineOverrides() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("demo.properties"), "models=analytic\ntasks=3\nkeep-running=true\n");
    DemoOptions options = DemoOptions.parse("--config", file.toString(), "--tasks", "4");
    assertThat(options.models()).containsExactly("analytic");
    assertThat(options.tasks()).isEqualTo(4);
    assertThat(options.keepRunning()).isTrue();
  }
}
