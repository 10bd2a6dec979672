package io.lethe.loadtests;

import io.lethe.cli.Cli;
import io.lethe.cli.StandardOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The command line in front of JMH ({@code org.openjdk.jmh.Main}) for {@code lethe bench-learners}
 * and {@code bench-codecs}. JMH alone runs on with {@code --help} ("help is not a recognized
 * option") and answers a misspelled option with two lines and exit code 1; here {@code -h} and
 * {@code --help} print this usage, and JMH's options are checked with JMH's own parser before JMH
 * runs, so that a bad one is one line and exit code 2. Everything else goes to JMH unchanged.
 *
 * <p>JMH must be on the class path (the benchmarks' modules have it in test scope); this class only
 * compiles against it.
 */
@Command(
    description = {
      "Runs JMH benchmarks. Every argument other than -h, --help, -V and --version goes to JMH:",
      "benchmark regular expressions and JMH's options, e.g. -f 1 -wi 2 -i 3 -rf json. '-- -h'",
      "lists JMH's own options, '-- -l' the benchmarks."
    })
public final class JmhMain implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin StandardOptions standard;

  @Parameters(paramLabel = "JMH-ARGUMENT", description = "Passed to JMH.")
  List<String> jmh = new ArrayList<>();

  private JmhMain() {}

  /**
   * Runs JMH with {@code args} as the command {@code name} (e.g. {@code "lethe bench-learners"}).
   *
   * @return the exit code
   */
  public static int run(String name, String... args) {
    CommandLine line = commandLine(name);
    return Cli.execute(line, args);
  }

  /** The command line of {@code name}; tests set its out and err. */
  public static CommandLine commandLine(String name) {
    CommandLine line = Cli.commandLine(new JmhMain());
    line.getCommandSpec().name(name);
    line.setUnmatchedOptionsArePositionalParams(true);
    return line;
  }

  @Override
  public Integer call() throws Exception {
    String[] args = jmh.toArray(String[]::new);
    try {
      new CommandLineOptions(args);
    } catch (CommandLineOptionException e) {
      throw new ParameterException(
          spec.commandLine(), "Bad JMH option: " + e.getMessage().strip().replace('\n', ' '));
    }
    // JMH's own main: it lists, prints its help, or runs, and exits 1 itself when a run fails
    org.openjdk.jmh.Main.main(args);
    return Cli.OK;
  }
}
