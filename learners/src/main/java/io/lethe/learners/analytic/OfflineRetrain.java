package io.lethe.learners.analytic;

import io.lethe.learners.snapshot.SnapshotTensors;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.Tensor;
import io.lethe.records.TrainingSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The reference an erasure is checked against: an analytic model trained offline, from scratch, on
 * the retained samples only, task by task in task-id order.
 */
public final class OfflineRetrain {
  private OfflineRetrain() {}

  /** The head weights of the analytic model trained on {@code retained} with {@code settings}. */
  public static double[] analyticWeights(AnalyticSettings settings, List<TrainingSample> retained) {
    Map<String, List<TrainingSample>> byTask = new TreeMap<>();
    retained.forEach(s -> byTask.computeIfAbsent(s.getTask(), t -> new ArrayList<>()).add(s));
    try (AnalyticLearner learner = new AnalyticLearner(settings)) {
      byTask.forEach(
          (task, ofTask) -> {
            float[][] x = new float[ofTask.size()][];
            int[] y = new int[ofTask.size()];
            for (int i = 0; i < x.length; i++) {
              List<Float> features = ofTask.get(i).getFeatures();
              x[i] = new float[features.size()];
              for (int j = 0; j < x[i].length; j++) {
                x[i][j] = features.get(j);
              }
              y[i] = ofTask.get(i).getLabel();
            }
            learner.learn(task, ofTask.stream().map(TrainingSample::getSampleId).toList(), x, y);
          });
      return learner.weights().values();
    }
  }

  /**
   * How far the head of an analytic {@code snapshot} is from the offline retrain on {@code
   * retained}: max |difference| / max |retrained weight|.
   *
   * @throws IllegalStateException if the two heads differ in size
   */
  public static double relativeDistance(
      ModelSnapshot snapshot, AnalyticSettings settings, List<TrainingSample> retained) {
    double[] expected = analyticWeights(settings, retained);
    Tensor head = SnapshotTensors.find(snapshot.getTensors(), AnalyticSnapshots.HEAD_TENSOR);
    double[] served =
        SnapshotTensors.readFloat64(
            head, head.getShape().stream().mapToLong(Long::longValue).toArray());
    if (served.length != expected.length) {
      throw new IllegalStateException(
          "the served analytic head has "
              + served.length
              + " weights, the offline retrain "
              + expected.length);
    }
    double maxAbs = 0;
    double maxDiff = 0;
    for (int i = 0; i < served.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
      maxDiff = Math.max(maxDiff, Math.abs(served[i] - expected[i]));
    }
    return maxDiff / maxAbs;
  }
}
