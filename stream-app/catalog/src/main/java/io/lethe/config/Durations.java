package io.lethe.config;

import io.lethe.learners.settings.SettingDef;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as operators write them in options, catalogs and settings: {@code 500ms}, {@code 2s},
 * {@code 5m}, {@code 1h} or {@code 7d}. One parser for every setting, so they all accept the same
 * text; each caller words its own error, naming its key.
 */
public final class Durations {
  /** What to tell a user who wrote something else. */
  public static final String EXPECTED = "a positive duration like 500ms, 30s, 10m, 1h or 7d";

  private static final Pattern DURATION = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)");

  private Durations() {}

  /** The positive duration {@code text} denotes, or empty if it is malformed or zero. */
  public static Optional<Duration> parse(String text) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    long amount = Long.parseLong(m.group(1));
    if (amount == 0) {
      return Optional.empty();
    }
    return Optional.of(
        switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          case "h" -> Duration.ofHours(amount);
          default -> Duration.ofDays(amount);
        });
  }

  /** The shortest text {@link #parse} reads back as {@code duration}, e.g. {@code 10s}. */
  public static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis <= 0) {
      return millis + "ms";
    }
    long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1000L};
    String[] units = {"d", "h", "m", "s"};
    for (int i = 0; i < sizes.length; i++) {
      if (millis % sizes[i] == 0) {
        return millis / sizes[i] + units[i];
      }
    }
    return millis + "ms";
  }

  /** Declares a positive duration setting, written as {@link #parse} reads it. */
  public static SettingDef<Duration> setting(String key, Duration defaultValue, String doc) {
    return SettingDef.custom(
        key,
        "duration",
        defaultValue,
        text -> parse(text).orElseThrow(() -> new IllegalArgumentException(text)),
        Durations::format,
        d -> !d.isNegative() && !d.isZero(),
        EXPECTED,
        doc);
  }

  /**
   * As {@link #parse}, for a command-line option.
   *
   * @throws IllegalArgumentException naming {@code option} if {@code text} is not a duration
   */
  public static Duration parseOption(String option, String text) {
    return parse(text)
        .orElseThrow(
            () ->
                new IllegalArgumentException(option + " is '" + text + "', expected " + EXPECTED));
  }
}
