package io.lethe.learners.internal;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/** Per-thread PyTorch settings that every computing entry point applies before touching tensors. */
public final class Torch {
  private Torch() {}

  /**
   * Turns PyTorch's autograd off for the calling thread. Grad mode is thread-local in PyTorch (a
   * thread other than the one that loaded the engine starts with it on), so a learner called from a
   * pool or Flink thread must set it itself; it is cheap.
   */
  public static void noGradOnThisThread() {
    Engine.getEngine("PyTorch"); // loads the native library on first use; cached afterwards
    JniUtils.setGradMode(false);
  }

  /**
   * Sets how many threads PyTorch may use inside one operation started from the calling thread (a
   * per-thread setting). A server scoring many small requests at once does better with 1: the
   * requests are the parallelism, and more threads per operation only oversubscribe the cores.
   */
  public static void intraOpThreadsOnThisThread(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("intra-op threads must be at least 1, got " + threads);
    }
    Engine.getEngine("PyTorch");
    if (JniUtils.getNumThreads() != threads) {
      JniUtils.setNumThreads(threads);
    }
  }
}
