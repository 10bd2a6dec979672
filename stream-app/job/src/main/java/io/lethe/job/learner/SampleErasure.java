package io.lethe.job.learner;

import java.util.List;

/**
 * One request's learned samples to erase from one model, as the ledger found them: ids, tasks,
 * packed features and labels, one entry per sample.
 */
public record SampleErasure(
    List<String> sampleIds, List<String> tasks, byte[][] packedFeatures, int[] labels) {}
