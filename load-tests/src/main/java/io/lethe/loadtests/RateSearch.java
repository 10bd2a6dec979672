package io.lethe.loadtests;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * The search of {@code lethe bench --find-max} for the highest sustainable offered rate: from the
 * first rate it doubles while each probe is sustainable (or halves while none is), then bisects
 * between the highest sustainable and the lowest unsustainable rate until they are within {@link
 * #precision} of each other or the probes run out.
 *
 * <p>Rates only grow by doubling and shrink by halving before a bound is found, so a machine that
 * keeps up at every rate tried (or at none) ends the search with the probes, and the answer says
 * which bound it lacks.
 */
public final class RateSearch {
  private final int maxProbes;
  private final double precision;
  private final List<Probe> probes = new ArrayList<>();
  private int next;

  /** One probe: the rate offered and whether the stack sustained it. */
  public record Probe(int rate, boolean sustainable) {}

  /**
   * @param first the first rate offered, samples/s
   * @param maxProbes at most this many probes
   * @param precision stop once the lowest unsustainable rate is within this fraction above the
   *     highest sustainable one (0.1: within 10%)
   */
  public RateSearch(int first, int maxProbes, double precision) {
    if (first <= 0 || maxProbes <= 0 || !(precision > 0)) {
      throw new IllegalArgumentException(
          "need a positive first rate, probe count and precision, got "
              + first
              + ", "
              + maxProbes
              + ", "
              + precision);
    }
    this.maxProbes = maxProbes;
    this.precision = precision;
    this.next = first;
  }

  /** The next rate to probe, or empty when the search is over. */
  public OptionalInt next() {
    return next > 0 && probes.size() < maxProbes ? OptionalInt.of(next) : OptionalInt.empty();
  }

  /** Records the outcome of probing {@link #next()}. */
  public void record(boolean sustainable) {
    int rate = next().orElseThrow(() -> new IllegalStateException("the search is over"));
    probes.add(new Probe(rate, sustainable));
    OptionalInt good = highestSustainable();
    OptionalInt bad = lowestUnsustainable();
    if (good.isEmpty()) {
      next = rate / 2; // 0 ends the search: not even 1 sample/s
    } else if (bad.isEmpty()) {
      next = rate * 2;
    } else if (bad.getAsInt() - good.getAsInt() <= precision * good.getAsInt()) {
      next = 0;
    } else {
      next = (good.getAsInt() + bad.getAsInt()) / 2;
    }
  }

  /** The probes so far, in order. */
  public List<Probe> probes() {
    return List.copyOf(probes);
  }

  /** The highest rate sustained, if any. */
  public OptionalInt highestSustainable() {
    return probes.stream().filter(Probe::sustainable).mapToInt(Probe::rate).max();
  }

  /** The lowest rate not sustained, if any. */
  public OptionalInt lowestUnsustainable() {
    return probes.stream().filter(p -> !p.sustainable()).mapToInt(Probe::rate).min();
  }
}
