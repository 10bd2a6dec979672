package io.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The shared command-line behaviour every {@code lethe} command gets from {@link Cli}. */
class CliTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @Command(name = "lethe sample", description = "A command as the real ones are declared.")
  static final class Sample implements Callable<Integer> {
    @Mixin StandardOptions standard;
    @Mixin ConfigFileOption config;

    @Option(names = "--bootstrap", converter = Values.Bootstrap.class, required = true)
    String bootstrap;

    @Option(names = "--port", converter = Values.Port.class, defaultValue = "8080")
    int port;

    @Option(names = "--duration", converter = Values.PositiveDuration.class, defaultValue = "60s")
    Duration duration;

    @Option(
        names = {"--report", "--json"},
        hidden = false)
    Path report;

    @Option(names = "--keep-running")
    boolean keepRunning;

    boolean ran;

    @Override
    public Integer call() {
      ran = true;
      return 0;
    }
  }

  private final Sample sample = new Sample();

  private int run(String... args) {
    CommandLine line = Cli.commandLine(sample);
    line.setOut(new PrintWriter(out, true));
    line.setErr(new PrintWriter(err, true));
    return Cli.execute(line, args);
  }

  @Test
  void shouldPrintTheUsageForHelpWithoutRunning() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).startsWith("Usage: lethe sample").contains("--bootstrap");
    assertThat(run("-h")).isZero();
    assertThat(sample.ran).isFalse();
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void shouldNameAnUnknownOptionOnOneLine() {
    assertThat(run("--bootstrap", "h:1", "--durration", "5")).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "lethe sample: Unknown option: '--durration' (did you mean --duration?); see 'lethe"
                + " sample --help'"
                + System.lineSeparator());
    assertThat(sample.ran).isFalse();
  }

  @Test
  void shouldNameAMisspelledOptionRatherThanTheRequiredOneItMisses() {
    assertThat(run("--bootstrapp", "h:1")).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "lethe sample: Unknown option: '--bootstrapp' (did you mean --bootstrap?); see 'lethe"
                + " sample --help'"
                + System.lineSeparator());
  }

  @Test
  void shouldNameTheOptionOfABadValue() {
    assertThat(run("--bootstrap", "h:1", "--port", "70000")).isEqualTo(2);
    assertThat(err.toString())
        .startsWith(
            "lethe sample: Invalid value for option '--port': '70000' is not a whole number from"
                + " 0 to 65535");
    assertThat(err.toString().lines()).hasSize(1);
  }

  @Test
  void shouldNameAMissingRequiredOptionAndAMissingValue() {
    assertThat(run("--port", "1")).isEqualTo(2);
    assertThat(run("--bootstrap", "h:1", "--port")).isEqualTo(2);
    assertThat(err.toString().lines())
        .containsExactly(
            "lethe sample: Missing required option: '--bootstrap=<bootstrap>'; see 'lethe sample"
                + " --help'",
            "lethe sample: Missing required parameter for option '--port' (<port>); see 'lethe"
                + " sample --help'");
  }

  @Test
  void shouldTakeDefaultsFromTheConfigFileAndLetTheCommandLineOverrideThem() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("sample.properties"),
            "bootstrap=kafka:9092\nport=9000\nduration=5m\nkeep-running=true\n");
    assertThat(run("--config", file.toString(), "--port", "9001")).isZero();
    assertThat(sample.bootstrap).isEqualTo("kafka:9092");
    assertThat(sample.port).isEqualTo(9001);
    assertThat(sample.duration).isEqualTo(Duration.ofMinutes(5));
    assertThat(sample.keepRunning).isTrue();
  }

  @Test
  void shouldRefuseAConfigKeyThatNamesNoOption() throws Exception {
    Path file = Files.writeString(dir.resolve("bad.properties"), "bootstrap=k:1\nprot=1\n");
    assertThat(run("--config", file.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("has the key 'prot', which names no option");
    assertThat(err.toString().lines()).hasSize(1);
  }

  @Test
  void shouldCheckConfigValuesAsCommandLineValues() throws Exception {
    Path file = Files.writeString(dir.resolve("bad.properties"), "bootstrap=k:1\nport=-3\n");
    assertThat(run("--config", file.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("'--port'").contains("'-3'");
  }
}
