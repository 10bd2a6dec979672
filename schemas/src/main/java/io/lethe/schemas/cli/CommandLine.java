package io.lethe.schemas.cli;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The command line of a {@code lethe} command: {@code --option value} pairs and bare flags, each
 * given at most once, with checks whose errors name the option. Shared by the commands' option
 * classes ({@code lethe ingress}, {@code serve}, {@code demo}).
 */
public final class CommandLine {

  /** A bad command line; the message names the option and what is expected. */
  public static final class UsageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
      super(message);
    }
  }

  private final Map<String, String> values;
  private final Set<String> flags;

  private CommandLine(Map<String, String> values, Set<String> flags) {
    this.values = values;
    this.flags = flags;
  }

  /**
   * Parses {@code args}.
   *
   * @param valued the options that take a value
   * @param flagOptions the options that take none
   * @throws UsageException for an unknown option, a missing value, or an option given twice
   */
  public static CommandLine parse(
      String[] args, Collection<String> valued, Collection<String> flagOptions) {
    Map<String, String> values = new LinkedHashMap<>();
    Set<String> flags = new HashSet<>();
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      if (flagOptions.contains(option)) {
        if (!flags.add(option)) {
          throw new UsageException("option " + option + " is given twice");
        }
        continue;
      }
      if (!valued.contains(option)) {
        throw new UsageException("unknown option '" + option + "'");
      }
      if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
        throw new UsageException("option " + option + " needs a value");
      }
      if (values.put(option, args[++i]) != null) {
        throw new UsageException("option " + option + " is given twice");
      }
    }
    return new CommandLine(values, flags);
  }

  /** The option's value, or null if it was not given. */
  public String get(String option) {
    return values.get(option);
  }

  /** The option's value, or {@code fallback}. */
  public String getOrDefault(String option, String fallback) {
    return values.getOrDefault(option, fallback);
  }

  /** Whether the option (with a value, or a flag) was given. */
  public boolean has(String option) {
    return values.containsKey(option) || flags.contains(option);
  }

  /**
   * The option's value.
   *
   * @throws UsageException if it is missing or blank
   */
  public String required(String option) {
    String value = values.get(option);
    if (value == null || value.isBlank()) {
      throw new UsageException("option " + option + " is required");
    }
    return value;
  }

  /**
   * A whole number in [min, max], or {@code fallback} if the option was not given.
   *
   * @throws UsageException naming the option and the range
   */
  public long number(String option, long fallback, long min, long max) {
    String text = values.get(option);
    if (text == null) {
      return fallback;
    }
    long value;
    try {
      value = Long.parseLong(text);
    } catch (NumberFormatException e) {
      value = Long.MIN_VALUE;
    }
    if (value < min || value > max) {
      throw new UsageException(
          "option " + option + " is '" + text + "', expected a whole number " + min + "-" + max);
    }
    return value;
  }

  /**
   * A required Kafka bootstrap list, {@code HOST:PORT[,HOST:PORT...]}.
   *
   * @throws UsageException if it is missing or malformed
   */
  public String bootstrapServers(String option) {
    String value = required(option);
    if (!value.matches("[^,:\\s]+:\\d+(,[^,:\\s]+:\\d+)*")) {
      throw new UsageException(
          "option " + option + " is '" + value + "', expected HOST:PORT[,HOST:PORT...]");
    }
    return value;
  }

  /**
   * A required http:// or https:// URL.
   *
   * @throws UsageException if it is missing or not such a URL
   */
  public String httpUrl(String option) {
    String value = required(option);
    if (!value.startsWith("http://") && !value.startsWith("https://")) {
      throw new UsageException(
          "option " + option + " is '" + value + "', expected an http:// or https:// URL");
    }
    return value;
  }
}
