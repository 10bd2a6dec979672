package io.lethe.learners.snapshot;

import java.util.Arrays;

/**
 * One prediction: the winning class label, its score, and the scores of every class the model (or
 * the task) can predict, in the order of {@link Scorer#classes(String)}.
 *
 * <p>For the analytic learner the scores are the ridge outputs, which approximate the one-hot
 * target and are not probabilities; for the hypernetwork learner they are the task's class
 * probabilities. The array is shared, not copied: treat it as read-only. Equality compares the
 * scores by value, bit for bit.
 *
 * @param label predicted class label (as in the training samples)
 * @param score the winning class's score
 * @param scores every class's score, aligned with the scorer's classes for the task
 */
public record Prediction(int label, double score, double[] scores) {

  @Override
  public boolean equals(Object other) {
    return other instanceof Prediction that
        && label == that.label
        && Double.compare(score, that.score) == 0
        && Arrays.equals(scores, that.scores);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * label + Double.hashCode(score)) + Arrays.hashCode(scores);
  }

  @Override
  public String toString() {
    return "Prediction[label="
        + label
        + ", score="
        + score
        + ", scores="
        + Arrays.toString(scores)
        + "]";
  }
}
