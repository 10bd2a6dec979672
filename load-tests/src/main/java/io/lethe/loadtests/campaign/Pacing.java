package io.lethe.loadtests.campaign;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** When a paced campaign sends each record, and the durations its command line takes. */
public final class Pacing {
  private static final Pattern DURATION = Pattern.compile("([1-9][0-9]{0,5})(ms|s|m|h)");

  private Pacing() {}

  /**
   * When record {@code index} of {@code count} is due, from the start: evenly spread, the first at
   * zero and the last one interval before the end of {@code span}.
   */
  public static Duration sendAt(long index, long count, Duration span) {
    if (count <= 0 || index < 0 || index >= count) {
      throw new IllegalArgumentException("record " + index + " of " + count);
    }
    return Duration.ofNanos(
        java.math.BigInteger.valueOf(span.toNanos())
            .multiply(java.math.BigInteger.valueOf(index))
            .divide(java.math.BigInteger.valueOf(count))
            .longValueExact());
  }

  /**
   * A duration such as {@code 30m}, {@code 90s}, {@code 1h} or {@code 500ms}.
   *
   * @throws IllegalArgumentException naming {@code option} and what is allowed
   */
  public static Duration parseDuration(String option, String text) {
    Matcher m = DURATION.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "option "
              + option
              + " is '"
              + text
              + "', expected a positive duration such as 30m, 90s, 1h or 500ms");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }
}
