package io.lethe.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.cli.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code lethe eval}'s command line; every case here stops before any data is loaded. */
class EvalCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine line = Cli.commandLine(new EvalCommand());
    line.setOut(new PrintWriter(out, true));
    line.setErr(new PrintWriter(err, true));
    return Cli.execute(line, args);
  }

  /** The one line printed for a refused command line. */
  private String refused(String... args) {
    assertThat(run(args)).isEqualTo(Cli.USAGE);
    assertThat(err.toString().lines()).hasSize(1);
    return err.toString().strip();
  }

  @Test
  void shouldRejectAnUnknownLearner() {
    assertThat(refused("perceptron", "--report", "x.json"))
        .startsWith(
            "lethe eval: Unknown command: 'perceptron' (expected analytic, hypernet, hypernet-forget, help)");
  }

  @Test
  void shouldRequireTheReportOption() {
    assertThat(refused("analytic", "--buffer-size", "64"))
        .startsWith("lethe eval analytic: Missing required option: '--report=FILE'");
  }

  @Test
  void shouldListTheHypernetworkOptionsInTheUsage() {
    assertThat(run("hypernet", "--help")).isZero();
    assertThat(out.toString())
        .contains(
            "Usage: lethe eval hypernet",
            "--report=FILE",
            "--seed=N",
            "--refresh=on|off",
            "--data=DIR",
            "--features=N",
            "--tasks=SPLIT",
            "Default: 0,1/2,3/4,5/6,7/8,9",
            "--samples-per-task=N",
            "--permuted-tasks=N");
  }

  @Test
  void shouldRejectAPermutedTaskCountBelowTwoOtherThanZero() {
    for (String count : List.of("1", "-3", "ten")) {
      err.getBuffer().setLength(0);
      assertThat(refused("hypernet", "--report", "x.json", "--permuted-tasks", count))
          .startsWith(
              "lethe eval hypernet: Invalid value for option '--permuted-tasks': '"
                  + count
                  + "' is not 0 (off) or a whole number of tasks from 2 to 2147483647");
    }
  }

  @Test
  void shouldPrintTheUsageForHelpWithoutEvaluating() {
    assertThat(run("--help")).isZero();
    assertThat(run("-h")).isZero();
    assertThat(run()).isZero();
    assertThat(out.toString()).contains("Usage: lethe eval", "analytic", "hypernet");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void shouldRequireTheReportOptionForTheHypernetwork() {
    assertThat(refused("hypernet", "--seed", "1"))
        .startsWith("lethe eval hypernet: Missing required option: '--report=FILE'");
  }

  @Test
  void shouldRejectARefreshValueOtherThanOnOrOff() {
    assertThat(refused("hypernet", "--report", "x.json", "--refresh", "yes"))
        .startsWith(
            "lethe eval hypernet: Invalid value for option '--refresh': 'yes' is not on or off");
  }

  @Test
  void shouldNameTheOptionWhoseValueIsNotANumber() {
    assertThat(refused("analytic", "--buffer-size", "big"))
        .startsWith(
            "lethe eval analytic: Invalid value for option '--buffer-size': 'big' is not a whole"
                + " number from 1 to 2147483647");
  }

  @Test
  void shouldNameAMisspelledOption() {
    assertThat(refused("analytic", "--report", "x.json", "--buffer-sise", "64"))
        .isEqualTo(
            "lethe eval analytic: Unknown option: '--buffer-sise' (did you mean --buffer-size?);"
                + " see 'lethe eval analytic --help'");
  }
}
