package io.lethe.learners.data;

/**
 * The SplitMix64 generator (Steele, Lea and Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014), written out here so that every JVM rebuilds the same buffer layer.
 *
 * <p>The state advances by the golden-ratio constant and each output is the state passed through
 * Stafford's "variant 13" 64-bit mixer. For the same seed this yields the same sequence as {@code
 * java.util.SplittableRandom#nextLong()}; a unit test checks both that and a published test vector,
 * so a change in either would be caught.
 */
public final class SplitMix64 {
  private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
  private static final double DOUBLE_UNIT = 0x1.0p-53;

  private long state;

  /** Starts the sequence at {@code seed}. */
  public SplitMix64(long seed) {
    this.state = seed;
  }

  /** Returns the next 64 pseudorandom bits. */
  public long nextLong() {
    state += GOLDEN_GAMMA;
    long z = state;
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /**
   * Returns a double uniformly distributed in [0, 1) built from the top 53 bits of {@link
   * #nextLong()}.
   */
  public double nextDouble() {
    return (nextLong() >>> 11) * DOUBLE_UNIT;
  }
}
