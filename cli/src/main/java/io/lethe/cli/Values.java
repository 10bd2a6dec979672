package io.lethe.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Converters that check an option's value while the command line (or {@code --config} file) is
 * parsed, so that a bad value stops the command before anything starts. picocli puts the option's
 * name in front of the message: {@code Invalid value for option '--port': '70000' is not a whole
 * number from 0 to 65535}. A range particular to one option is a subclass of {@link IntRange} next
 * to the option.
 */
public final class Values {
  private Values() {}

  /** A whole number in [min, max]. */
  public abstract static class IntRange implements ITypeConverter<Integer> {
    private final int min;
    private final int max;

    protected IntRange(int min, int max) {
      this.min = min;
      this.max = max;
    }

    @Override
    public Integer convert(String text) {
      long value;
      try {
        value = Long.parseLong(text.strip());
      } catch (NumberFormatException e) {
        value = Long.MIN_VALUE;
      }
      if (value < min || value > max) {
        throw new TypeConversionException(
            "'" + text + "' is not a whole number from " + min + " to " + max);
      }
      return (int) value;
    }
  }

  /** A whole number of at least 1. */
  public static final class Positive extends IntRange {
    public Positive() {
      super(1, Integer.MAX_VALUE);
    }
  }

  /** A TCP port, 0 meaning any free port. */
  public static final class Port extends IntRange {
    public Port() {
      super(0, 65_535);
    }
  }

  /** A TCP port that must be given exactly (no 0). */
  public static final class FixedPort extends IntRange {
    public FixedPort() {
      super(1, 65_535);
    }
  }

  /**
   * A positive duration: {@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h} or {@code 7d}; a bare
   * number is seconds (the benchmarks' older spelling).
   */
  public static final class PositiveDuration implements ITypeConverter<Duration> {
    /** What the message says is expected. */
    public static final String EXPECTED = "a positive duration like 500ms, 30s, 10m, 1h or 7d";

    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)?");

    @Override
    public Duration convert(String text) {
      Matcher m = DURATION.matcher(text.strip());
      if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
        throw new TypeConversionException("'" + text + "' is not " + EXPECTED);
      }
      long amount = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      return switch (unit) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> Duration.ofDays(amount);
      };
    }
  }

  /** Kafka bootstrap servers, {@code HOST:PORT[,HOST:PORT...]}. */
  public static final class Bootstrap implements ITypeConverter<String> {
    @Override
    public String convert(String text) {
      if (!text.matches("[^,:\\s]+:\\d{1,5}(,[^,:\\s]+:\\d{1,5})*")) {
        throw new TypeConversionException("'" + text + "' is not HOST:PORT[,HOST:PORT...]");
      }
      return text;
    }
  }

  /** A URL of a service: http:// or https://. */
  public static final class HttpUrl implements ITypeConverter<String> {
    @Override
    public String convert(String text) {
      if (!text.startsWith("http://") && !text.startsWith("https://")) {
        throw new TypeConversionException("'" + text + "' is not an http:// or https:// URL");
      }
      return text;
    }
  }
}
