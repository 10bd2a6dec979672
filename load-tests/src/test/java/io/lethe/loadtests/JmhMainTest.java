package io.lethe.loadtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.cli.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line in front of JMH: Lethe's help and one-line errors, JMH's options checked. */
class JmhMainTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine line = JmhMain.commandLine("lethe bench-things");
    line.setOut(new PrintWriter(out, true));
    line.setErr(new PrintWriter(err, true));
    return Cli.execute(line, args);
  }

  @Test
  void shouldPrintItsUsageForHelpWithoutRunningJmh() {
    assertThat(run("--help")).isZero();
    assertThat(run("-h")).isZero();
    assertThat(out.toString()).startsWith("Usage: lethe bench-things").contains("-- -h");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void shouldRefuseAMisspelledJmhOptionOnOneLine() {
    assertThat(run("-f", "1", "--durration", "5", "SomeBenchmark")).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "lethe bench-things: Bad JMH option: durration is not a recognized option; see 'lethe"
                + " bench-things --help'"
                + System.lineSeparator());
  }

  @Test
  void shouldRefuseABadJmhValueOnOneLine() {
    assertThat(run("-f", "abc")).isEqualTo(2);
    assertThat(err.toString()).contains("Cannot parse argument 'abc' of option f");
    assertThat(err.toString().lines()).hasSize(1);
  }
}
