package io.lethe.learners.hypernet;

import java.util.List;

/** Settings small enough for unit tests: 20 inputs, a 32-unit target, a 32-64 trunk. */
final class SmallSettings {

  static final int INPUTS = 20;

  private SmallSettings() {}

  static HypernetSettings.Builder builder() {
    return HypernetSettings.builder(INPUTS)
        .optTargetHidden(List.of(32))
        .optTrunkHidden(List.of(32, 64))
        .optChunkEmbeddingDim(8)
        .optChunkSize(128)
        .optWindowSize(256)
        .optBatchSize(32)
        .optStepsPerBatch(8)
        .optSeed(11);
  }
}
