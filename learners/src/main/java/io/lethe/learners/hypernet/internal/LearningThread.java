package io.lethe.learners.hypernet.internal;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Puts the calling thread into the state learning needs, explicitly, because PyTorch keeps grad
 * mode and the intra-op thread count per thread: a thread other than the one that loaded the engine
 * starts with grad mode on, which breaks in-place weight updates ("a leaf Variable that requires
 * grad is being used in an in-place operation"), and the default intra-op pool oversubscribes a
 * busy machine.
 */
public final class LearningThread {

  private LearningThread() {}

  /**
   * Turns grad mode off for the calling thread (outside a {@code GradientCollector} no graph is
   * recorded and in-place updates are allowed; the collector turns it on while open and restores
   * this value when it closes) and sets its intra-op thread count. Call at the start of every
   * operation that learns.
   *
   * @param intraOpThreads threads PyTorch may use inside one operation
   */
  public static void prepare(int intraOpThreads) {
    JniUtils.setGradMode(false);
    if (JniUtils.getNumThreads() != intraOpThreads) {
      JniUtils.setNumThreads(intraOpThreads);
    }
  }

  /** Whether the calling thread currently records gradients. */
  public static boolean isGradModeOn() {
    return JniUtils.isGradMode();
  }
}
