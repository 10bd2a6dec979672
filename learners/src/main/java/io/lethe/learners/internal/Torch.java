package io.lethe.learners.internal;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/** Per-thread PyTorch settings that every computing entry point applies before touching tensors. */
public final class Torch {
  private Torch() {}

  /**
   * Turns PyTorch's autograd off for the calling thread. Grad mode is thread-local in PyTorch (see
   * PLATFORM.md), so a learner called from a pool or Flink thread must set it itself; it is cheap.
   */
  public static void noGradOnThisThread() {
    Engine.getEngine("PyTorch"); // loads the native library on first use; cached afterwards
    JniUtils.setGradMode(false);
  }
}
