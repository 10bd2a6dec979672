package io.lethe.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.awaitility.Awaitility;

/** Waits on a condition with a bound, never a fixed sleep. */
public final class Await {
  private static final Duration POLL = Duration.ofMillis(50);

  private Await() {}

  /**
   * Polls {@code condition} until it is true.
   *
   * @throws org.awaitility.core.ConditionTimeoutException naming {@code description} if it is still
   *     false after {@code bound}
   */
  public static void until(String description, Duration bound, Callable<Boolean> condition) {
    Awaitility.await(description)
        .atMost(bound)
        .pollDelay(Duration.ZERO)
        .pollInterval(POLL)
        .until(condition);
  }
}
