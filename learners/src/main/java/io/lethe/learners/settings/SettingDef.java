package io.lethe.learners.settings;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The one declaration of a setting: its key, type, default, allowed values and a one-line doc
 * (after Kafka's {@code ConfigDef.define} and Flink's {@code ConfigOptions.key}).
 *
 * <p>The key is the setting's only spelling: the catalog key, the command-line option ({@link
 * #cliOption()}), the key in errors, in snapshot settings and in evaluation reports. Keys are
 * kebab-case ({@link #KEY}). Instances are immutable and thread-safe.
 *
 * @param <T> the value type
 */
public final class SettingDef<T> {
  /** What a key looks like: lower-case words joined by single hyphens. */
  public static final Pattern KEY = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

  private final String key;
  private final String type;
  private final T defaultValue;
  private final String defaultText;
  private final String allowed;
  private final String doc;
  private final Function<String, T> parser;
  private final Function<T, String> formatter;
  private final Predicate<T> check;

  private SettingDef(
      String key,
      String type,
      T defaultValue,
      String defaultText,
      String allowed,
      String doc,
      Function<String, T> parser,
      Function<T, String> formatter,
      Predicate<T> check) {
    if (!KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("setting key '" + key + "' is not kebab-case");
    }
    this.key = key;
    this.type = Objects.requireNonNull(type);
    this.defaultValue = defaultValue;
    this.defaultText = defaultText;
    this.allowed = Objects.requireNonNull(allowed);
    this.doc = Objects.requireNonNull(doc);
    this.parser = Objects.requireNonNull(parser);
    this.formatter = Objects.requireNonNull(formatter);
    this.check = Objects.requireNonNull(check);
    if (defaultValue != null && !check.test(defaultValue)) {
      throw new IllegalArgumentException(
          "default of " + key + " is " + format(defaultValue) + ", outside " + allowed);
    }
  }

  /**
   * An integer setting.
   *
   * @param defaultValue null if the setting is required (or its default comes from elsewhere, see
   *     {@link #withDefaultText})
   */
  public static SettingDef<Integer> integer(
      String key, Integer defaultValue, Bounds bounds, String doc) {
    return new SettingDef<>(
        key,
        "integer",
        defaultValue,
        null,
        phrase("an integer", bounds),
        doc,
        text -> Integer.valueOf(text.trim()),
        String::valueOf,
        v -> bounds.contains(v));
  }

  /** A 64-bit integer setting with any value, such as a seed. */
  public static SettingDef<Long> longInteger(String key, Long defaultValue, String doc) {
    return new SettingDef<>(
        key,
        "integer",
        defaultValue,
        null,
        "an integer",
        doc,
        text -> Long.valueOf(text.trim()),
        String::valueOf,
        v -> true);
  }

  /** A 64-bit integer setting within {@code bounds}. */
  public static SettingDef<Long> longInteger(
      String key, Long defaultValue, Bounds bounds, String doc) {
    return new SettingDef<>(
        key,
        "integer",
        defaultValue,
        null,
        phrase("an integer", bounds),
        doc,
        text -> Long.valueOf(text.trim()),
        String::valueOf,
        v -> bounds.contains(v));
  }

  /** A floating-point setting; NaN and infinities are never allowed. */
  public static SettingDef<Double> number(
      String key, Double defaultValue, Bounds bounds, String doc) {
    String allowed =
        !Double.isNaN(bounds.min()) && !Double.isNaN(bounds.max())
            ? phrase("a number", bounds)
            : phrase("a finite number", bounds);
    return new SettingDef<>(
        key,
        "number",
        defaultValue,
        null,
        allowed,
        doc,
        SettingDef::parseDouble,
        SettingDef::formatDouble,
        v -> bounds.contains(v));
  }

  /**
   * An on/off switch; {@code true} and {@code false} are read too, {@code on}/{@code off} shown.
   */
  public static SettingDef<Boolean> flag(String key, Boolean defaultValue, String doc) {
    return new SettingDef<>(
        key,
        "on/off",
        defaultValue,
        null,
        "on or off",
        doc,
        SettingDef::parseFlag,
        v -> v ? "on" : "off",
        v -> true);
  }

  /**
   * A comma-separated list of integers, each at least {@code minElement}.
   *
   * @param nonEmpty whether at least one element is required
   */
  public static SettingDef<List<Integer>> intList(
      String key, List<Integer> defaultValue, int minElement, boolean nonEmpty, String doc) {
    String allowed =
        (nonEmpty ? "one or more" : "zero or more")
            + " integers >= "
            + minElement
            + " separated by commas, e.g. 100,100";
    return new SettingDef<>(
        key,
        "list of integers",
        defaultValue == null ? null : List.copyOf(defaultValue),
        null,
        allowed,
        doc,
        text ->
            Arrays.stream(text.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .map(Integer::valueOf)
                .toList(),
        v -> v.stream().map(String::valueOf).collect(Collectors.joining(",")),
        v -> (!nonEmpty || !v.isEmpty()) && v.stream().allMatch(e -> e != null && e >= minElement));
  }

  /** A text setting that must match {@code pattern}, described to users as {@code allowed}. */
  public static SettingDef<String> text(
      String key, String defaultValue, Pattern pattern, String allowed, String doc) {
    return new SettingDef<>(
        key,
        "text",
        defaultValue,
        null,
        allowed,
        doc,
        String::trim,
        v -> v,
        v -> pattern.matcher(v).matches());
  }

  /**
   * A setting of any other type.
   *
   * @param parser reads the text form; throws {@link IllegalArgumentException} if it cannot
   * @param formatter the canonical text form, read back by {@code parser}
   * @param check whether a parsed value is allowed
   * @param allowed what is allowed, as the end of "expected ..."
   */
  public static <T> SettingDef<T> custom(
      String key,
      String type,
      T defaultValue,
      Function<String, T> parser,
      Function<T, String> formatter,
      Predicate<T> check,
      String allowed,
      String doc) {
    return new SettingDef<>(key, type, defaultValue, null, allowed, doc, parser, formatter, check);
  }

  /**
   * A copy whose default is described by {@code text} (e.g. "the dataset's classes") where it
   * depends on the context; the declared default, if any, still applies elsewhere.
   */
  public SettingDef<T> withDefaultText(String text) {
    return new SettingDef<>(key, type, defaultValue, text, allowed, doc, parser, formatter, check);
  }

  /** The key, the setting's one spelling. */
  public String key() {
    return key;
  }

  /** The command-line option of this setting: {@code --} and the key. */
  public String cliOption() {
    return "--" + key;
  }

  /** The value type as shown to users, e.g. {@code integer} or {@code list of integers}. */
  public String type() {
    return type;
  }

  /** The default value, if the setting has a fixed one. */
  public Optional<T> defaultValue() {
    return Optional.ofNullable(defaultValue);
  }

  /** The default as shown to users: the default text, the formatted default, or "required". */
  public String defaultText() {
    if (defaultText != null) {
      return defaultText;
    }
    return defaultValue == null ? "required" : format(defaultValue);
  }

  /** What is allowed, e.g. {@code an integer >= 1}. */
  public String allowed() {
    return allowed;
  }

  /** One line on what the setting means. */
  public String doc() {
    return doc;
  }

  /** The canonical text form of a value (what {@link #parse} reads back). */
  public String format(T value) {
    return formatter.apply(value);
  }

  /**
   * Reads and checks a value written as text.
   *
   * @param where prefix of the key in errors, e.g. {@code model 'm': settings.}
   * @throws IllegalArgumentException naming the key, the value and what is allowed
   */
  public T parse(String where, String text) {
    T value;
    try {
      value = parser.apply(text);
    } catch (RuntimeException e) {
      throw invalid(where, "'" + text + "'");
    }
    if (value == null || !check.test(value)) {
      throw invalid(where, "'" + text + "'");
    }
    return value;
  }

  /**
   * Checks a value against the declared bounds and returns it.
   *
   * @param where prefix of the key in errors, e.g. {@code analytic.}
   * @throws IllegalArgumentException naming the key, the value and what is allowed
   */
  public T validate(String where, T value) {
    if (value == null) {
      throw new IllegalArgumentException(where + key + " is missing, expected " + allowed);
    }
    if (!check.test(value)) {
      String shown = format(value);
      throw invalid(where, shown.isEmpty() ? "empty" : shown);
    }
    return value;
  }

  /** Whether {@code value} is allowed. */
  public boolean allows(T value) {
    return value != null && check.test(value);
  }

  private IllegalArgumentException invalid(String where, String shown) {
    return new IllegalArgumentException(where + key + " is " + shown + ", expected " + allowed);
  }

  private static String phrase(String noun, Bounds bounds) {
    String range = bounds.describe();
    return range.isEmpty() ? noun : noun + " " + range;
  }

  private static Double parseDouble(String text) {
    String t = text.trim();
    // Double.valueOf reads "NaN", "Infinity" and hex floats; a setting is a plain decimal
    if (!t.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
      throw new NumberFormatException(t);
    }
    return Double.valueOf(t);
  }

  /** Plain decimal, no exponent and no trailing zeros: 0.00001 rather than 1.0E-5, 2 for 2.0. */
  private static String formatDouble(Double value) {
    if (!Double.isFinite(value)) {
      return String.valueOf(value);
    }
    return new BigDecimal(String.valueOf(value)).stripTrailingZeros().toPlainString();
  }

  private static Boolean parseFlag(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "on", "true" -> true;
      case "off", "false" -> false;
      default -> throw new IllegalArgumentException(text);
    };
  }

  @Override
  public String toString() {
    return key;
  }
}
