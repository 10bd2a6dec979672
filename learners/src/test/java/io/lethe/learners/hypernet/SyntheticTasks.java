package io.lethe.learners.hypernet;

import java.util.Random;

/**
 * Seeded two-class tasks for tests: Gaussian samples in a few dozen dimensions, labelled by the
 * side of a random hyperplane through the origin, so that every task is balanced and linearly
 * separable and different tasks need different weights.
 */
final class SyntheticTasks {

  private final int inputs;
  private final Random random;

  SyntheticTasks(int inputs, long seed) {
    this.inputs = inputs;
    this.random = new Random(seed);
  }

  /** One task's labelling rule and its held-out test set. */
  record Task(float[] direction, float[][] testX, int[] testY) {}

  /** A data set of one task. */
  record Samples(float[][] x, int[] y) {}

  /** A new task with a random direction and {@code testSize} test samples. */
  Task newTask(int testSize) {
    float[] direction = new float[inputs];
    for (int i = 0; i < inputs; i++) {
      direction[i] = (float) random.nextGaussian();
    }
    return withDirection(direction, testSize);
  }

  /** A task whose labels are the opposite of {@code task}'s on the same kind of inputs. */
  Task flipped(Task task, int testSize) {
    float[] direction = task.direction().clone();
    for (int i = 0; i < direction.length; i++) {
      direction[i] = -direction[i];
    }
    return withDirection(direction, testSize);
  }

  private Task withDirection(float[] direction, int testSize) {
    Samples test = samples(direction, testSize);
    return new Task(direction, test.x(), test.y());
  }

  /** Fresh training samples of a task. */
  Samples samples(Task task, int count) {
    return samples(task.direction(), count);
  }

  private Samples samples(float[] direction, int count) {
    float[][] x = new float[count][inputs];
    int[] y = new int[count];
    for (int n = 0; n < count; n++) {
      double dot = 0;
      for (int i = 0; i < inputs; i++) {
        x[n][i] = (float) random.nextGaussian();
        dot += x[n][i] * direction[i];
      }
      y[n] = dot > 0 ? 1 : 0;
    }
    return new Samples(x, y);
  }

  /** Streams {@code count} fresh samples of a task into the learner in micro-batches. */
  void stream(HypernetLearner learner, String name, Task task, int count, int microBatch) {
    for (int done = 0; done < count; done += microBatch) {
      Samples batch = samples(task, Math.min(microBatch, count - done));
      learner.learn(name, batch.x(), batch.y());
    }
  }

  /** Fraction of a task's test set predicted correctly (erased tasks through the audit path). */
  static double accuracy(HypernetLearner learner, String name, Task task) {
    int[] predicted = learner.auditPredict(name, task.testX());
    return accuracy(predicted, task.testY());
  }

  static double accuracy(int[] predicted, int[] labels) {
    int correct = 0;
    for (int i = 0; i < labels.length; i++) {
      if (predicted[i] == labels[i]) {
        correct++;
      }
    }
    return correct / (double) labels.length;
  }
}
