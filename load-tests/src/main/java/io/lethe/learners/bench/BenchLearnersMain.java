package io.lethe.learners.bench;

import io.lethe.loadtests.JmhMain;

/**
 * {@code lethe bench-learners}: the learners' JMH benchmarks (this package) behind Lethe's command
 * line; JMH's own options pass through ({@link JmhMain}).
 */
public final class BenchLearnersMain {
  private BenchLearnersMain() {}

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /**
   * Runs JMH with {@code args}.
   *
   * @return the exit code
   */
  public static int run(String... args) {
    return JmhMain.run("lethe bench-learners", args);
  }
}
