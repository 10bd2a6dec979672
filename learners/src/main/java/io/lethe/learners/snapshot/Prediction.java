package io.lethe.learners.snapshot;

/**
 * One prediction: the winning class label and its raw score (for the analytic learner the ridge
 * output, which approximates the one-hot target, not a probability).
 *
 * @param label predicted class label (0-based, as in the training samples)
 * @param score the winning class's score
 */
public record Prediction(int label, double score) {}
