package io.lethe.learners;

import io.lethe.learners.internal.Torch;

/** How a thread that scores requests (not a learner) sets up PyTorch before its first request. */
public final class ScoringThreads {
  private ScoringThreads() {}

  /**
   * Sets how many threads PyTorch may use inside one operation started from the calling thread. A
   * server scoring many small requests at once does better with 1: the requests are the
   * parallelism, and more threads per operation only oversubscribe the cores.
   */
  public static void useIntraOpThreads(int threads) {
    Torch.intraOpThreadsOnThisThread(threads);
  }
}
