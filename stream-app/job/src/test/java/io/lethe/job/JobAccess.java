package io.lethe.job;

/** Test access to the learner job's package-private command-line parser. */
public final class JobAccess {
  private JobAccess() {}

  /** {@code lethe job}'s own parser: the settings the given options produce. */
  public static JobSettings parseJobOptions(String... args) {
    return LearnerJobMain.parse(args);
  }
}
