package io.lethe.learners.settings;

/**
 * The allowed range of a numeric setting, with the phrase its errors and the catalog reference show
 * ("an integer >= 1", "a number in (0, 1]").
 *
 * @param min lower bound, or NaN for none
 * @param minInclusive whether {@code min} itself is allowed
 * @param max upper bound, or NaN for none
 * @param maxInclusive whether {@code max} itself is allowed
 */
public record Bounds(double min, boolean minInclusive, double max, boolean maxInclusive) {

  /** No bound other than being finite. */
  public static final Bounds ANY = new Bounds(Double.NaN, false, Double.NaN, false);

  /** {@code value >= min}. */
  public static Bounds atLeast(double min) {
    return new Bounds(min, true, Double.NaN, false);
  }

  /** {@code value > min}. */
  public static Bounds above(double min) {
    return new Bounds(min, false, Double.NaN, false);
  }

  /** {@code min <= value <= max}. */
  public static Bounds closed(double min, double max) {
    return new Bounds(min, true, max, true);
  }

  /** {@code min < value <= max}. */
  public static Bounds openClosed(double min, double max) {
    return new Bounds(min, false, max, true);
  }

  /** Whether {@code value} is finite and within the bounds. */
  public boolean contains(double value) {
    if (!Double.isFinite(value)) {
      return false;
    }
    boolean aboveMin = Double.isNaN(min) || (minInclusive ? value >= min : value > min);
    boolean belowMax = Double.isNaN(max) || (maxInclusive ? value <= max : value < max);
    return aboveMin && belowMax;
  }

  /** The bounds as text, e.g. {@code >= 1} or {@code in (0, 1]}; empty if unbounded. */
  public String describe() {
    boolean hasMin = !Double.isNaN(min);
    boolean hasMax = !Double.isNaN(max);
    if (hasMin && hasMax) {
      return "in "
          + (minInclusive ? "[" : "(")
          + number(min)
          + ", "
          + number(max)
          + (maxInclusive ? "]" : ")");
    }
    if (hasMin) {
      return (minInclusive ? ">= " : "> ") + number(min);
    }
    if (hasMax) {
      return (maxInclusive ? "<= " : "< ") + number(max);
    }
    return "";
  }

  /** A bound as short text: 1 rather than 1.0. */
  static String number(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15
        ? String.valueOf((long) value)
        : String.valueOf(value);
  }
}
