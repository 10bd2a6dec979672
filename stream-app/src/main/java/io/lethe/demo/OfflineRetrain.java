package io.lethe.demo;

import io.lethe.learners.analytic.AnalyticLearner;
import io.lethe.learners.analytic.AnalyticSettings;
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
}
