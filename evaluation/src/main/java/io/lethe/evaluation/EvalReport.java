package io.lethe.evaluation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The JSON report of {@code lethe eval}: continual-learning metrics and, for learners that can
 * forget, exactness and erasure measurements. Field names are written in snake_case; the keys of
 * {@code settings} are the settings' declared keys.
 *
 * @param learner learner name
 * @param settings every learner setting under its declared key (e.g. {@code
 *     AnalyticSettings.SETTINGS}), so a report spells a setting as the catalog does
 * @param protocol the evaluation protocol's stream parameters (task order, shuffle seed, batch)
 * @param tasks task ids in stream order
 * @param accuracyMatrix accuracy on task j (column) after learning task i (row)
 * @param averageAccuracy mean accuracy over all tasks after the last
 * @param bwt backward transfer
 * @param forgetting average forgetting
 * @param jointAccuracy test accuracy of the same learner trained on all data at once
 * @param finalVsJointMaxRelativeDifference max relative weight difference between the continual and
 *     the joint model (null if the learner has no closed form)
 * @param gammaSelection validation accuracy per candidate gamma (taken from the training set)
 * @param exactness max relative weight difference to retraining, per erasure scope
 * @param predictionsIdentical whether test predictions equal the retrained model's, per scope
 * @param eraseVsRetrainTimeRatio retraining time on the retained data / median time of a 10-sample
 *     erase request (over ten requests)
 * @param erasure accuracy on the erased and retained tasks after a task erasure
 * @param timings wall-clock measurements in seconds or samples per second
 */
record EvalReport(
    String learner,
    Map<String, Object> settings,
    Map<String, Object> protocol,
    List<String> tasks,
    List<List<Double>> accuracyMatrix,
    double averageAccuracy,
    double bwt,
    double forgetting,
    double jointAccuracy,
    Double finalVsJointMaxRelativeDifference,
    Map<String, Double> gammaSelection,
    Map<String, Double> exactness,
    Map<String, Boolean> predictionsIdentical,
    double eraseVsRetrainTimeRatio,
    TaskErasure erasure,
    Map<String, Double> timings) {

  /**
   * Accuracies around a task erasure.
   *
   * @param erasedTask the erased task
   * @param accuracyErasedBefore accuracy on the erased task's test data before the erasure
   * @param accuracyErasedAfter the same after (class-incremental: its classes are gone, so 0)
   * @param accuracyRetainedBefore accuracy on the other tasks' test data before
   * @param accuracyRetainedAfter the same after
   */
  public record TaskErasure(
      String erasedTask,
      double accuracyErasedBefore,
      double accuracyErasedAfter,
      double accuracyRetainedBefore,
      double accuracyRetainedAfter) {}

  /** Writes the report as pretty-printed JSON. */
  public void write(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    mapper().writeValue(file.toFile(), this);
  }

  /** The mapper used for reports (snake_case, indented). */
  public static ObjectMapper mapper() {
    return new ObjectMapper()
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .enable(SerializationFeature.INDENT_OUTPUT);
  }
}
