package io.lethe.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Runs a {@code lethe} command, a picocli {@code @Command} object, the same way for every command:
 * {@code -h}/{@code --help} print the usage and exit {@link #OK} before anything starts; a bad
 * command line prints one line that names the option and exits {@link #USAGE}; an exception from
 * the command exits {@link #FAILED}; {@code --config FILE} ({@link ConfigFileOption}) supplies
 * values that the command line overrides.
 *
 * <p>Each command's {@code main} is {@code System.exit(run(args))}, and its static {@code run}
 * returns {@code Cli.run(new TheCommand(), args)}, so tests run a command without exiting.
 */
public final class Cli {
  /** The command did what it was asked. */
  public static final int OK = 0;

  /** The command failed (a check failed, or something it needs did not start). */
  public static final int FAILED = 1;

  /** A bad command line, config file or input file named on it. */
  public static final int USAGE = 2;

  private Cli() {}

  /**
   * A picocli command line for {@code command} (and its subcommands) with Lethe's error handling,
   * help and version; tests set its {@code out} and {@code err} and call {@link #execute}.
   */
  public static CommandLine commandLine(Object command) {
    CommandLine line = new CommandLine(command);
    configure(line);
    return line;
  }

  private static void configure(CommandLine line) {
    CommandSpec spec = line.getCommandSpec();
    if (spec.versionProvider() == null && spec.version().length == 0) {
      spec.versionProvider(new Version());
    }
    spec.usageMessage().showDefaultValues(true).sortOptions(false).width(100);
    line.setParameterExceptionHandler(Cli::oneLineError);
    line.setExecutionExceptionHandler(Cli::failure);
    line.getSubcommands().values().forEach(Cli::configure);
  }

  /**
   * Parses {@code args} and runs {@code command}.
   *
   * @return the exit code; never calls {@link System#exit}
   */
  public static int run(Object command, String... args) {
    return execute(commandLine(command), args);
  }

  /**
   * As {@link #run(Object, String...)}, with usage, errors and help printed to the given streams.
   */
  public static int run(Object command, String[] args, PrintStream out, PrintStream err) {
    CommandLine line = commandLine(command);
    line.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    line.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    return execute(line, args);
  }

  /** As {@link #run}, on a command line from {@link #commandLine}. */
  public static int execute(CommandLine line, String... args) {
    try {
      ConfigFile.install(line, args);
    } catch (ParameterException e) {
      return oneLineError(e, args);
    }
    return line.execute(args);
  }

  /**
   * Parses {@code args} (and a {@code --config} file named there) into the command's fields without
   * running it: for tests of a command's options.
   *
   * @throws ParameterException naming the option, as {@link #execute} prints it
   */
  public static CommandLine.ParseResult parse(CommandLine line, String... args) {
    ConfigFile.install(line, args);
    return line.parseArgs(args);
  }

  /**
   * A bad command line: the command's name, what is wrong (naming the option) and where help is, on
   * one line. The usage is not printed: it would push the message off the screen.
   */
  static int oneLineError(ParameterException e, String[] args) {
    CommandLine line = e.getCommandLine();
    String name = line.getCommandSpec().qualifiedName();
    String unknown = e instanceof MissingParameterException ? unknownOption(line, args) : null;
    String message =
        unknown != null ? describeUnknown(line.getCommandSpec(), unknown) : describe(e);
    line.getErr().println(name + ": " + message + "; see '" + name + " --help'");
    return USAGE;
  }

  /**
   * The first {@code --option} in {@code args} that neither the command nor a parent of it has:
   * picocli reports missing required options before unknown ones, but a misspelled option is the
   * more likely cause of both.
   */
  private static String unknownOption(CommandLine line, String[] args) {
    for (String arg : args) {
      if (!arg.startsWith("--") || arg.equals("--")) {
        continue;
      }
      String option = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      boolean known = false;
      for (CommandLine c = line; c != null && !known; c = c.getParent()) {
        known = c.getCommandSpec().findOption(option) != null;
      }
      if (!known) {
        return option;
      }
    }
    return null;
  }

  private static String describeUnknown(CommandSpec spec, String option) {
    List<String> suggestions = similarOptions(spec, option);
    return "Unknown option: '"
        + option
        + "'"
        + (suggestions.isEmpty()
            ? ""
            : " (did you mean " + String.join(" or ", suggestions) + "?)");
  }

  private static String describe(ParameterException e) {
    if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
      String first = unmatched.getUnmatched().get(0);
      if (!first.startsWith("-")) {
        var subcommands = e.getCommandLine().getSubcommands().keySet();
        return subcommands.isEmpty()
            ? "Unexpected argument: '" + first + "'"
            : "Unknown command: '" + first + "' (expected " + String.join(", ", subcommands) + ")";
      }
      String option = first.contains("=") ? first.substring(0, first.indexOf('=')) : first;
      return describeUnknown(e.getCommandLine().getCommandSpec(), option);
    }
    String message = String.valueOf(e.getMessage()).strip();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline).strip();
  }

  /** The command's visible long options at most two edits away from {@code misspelled}. */
  private static List<String> similarOptions(CommandSpec spec, String misspelled) {
    return spec.options().stream()
        .filter(o -> !o.hidden())
        .flatMap(o -> java.util.Arrays.stream(o.names()))
        .filter(name -> name.startsWith("--") && editDistance(name, misspelled) <= 2)
        .sorted(java.util.Comparator.comparingInt(name -> editDistance(name, misspelled)))
        .limit(2)
        .toList();
  }

  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  /** An exception from the command: its trace, then one line saying that the command failed. */
  private static int failure(Exception e, CommandLine line, ParseResult parsed) {
    PrintWriter err = line.getErr();
    e.printStackTrace(err);
    err.println(line.getCommandSpec().qualifiedName() + ": failed: " + e);
    err.flush();
    return FAILED;
  }

  /** The version {@code --version} prints: the jar's, or a development build's. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Cli.class.getPackage().getImplementationVersion();
      return new String[] {"lethe " + (version != null ? version : "(development build)")};
    }
  }
}
