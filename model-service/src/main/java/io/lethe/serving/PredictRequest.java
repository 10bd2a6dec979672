package io.lethe.serving;

import com.fasterxml.jackson.databind.JsonNode;
import io.lethe.learners.snapshot.Scorer;
import java.util.ArrayList;
import java.util.List;

/**
 * A predict request's instances, checked against the model that will score them. Every problem is
 * an {@link ApiException} (400) whose message names the offending field, e.g. {@code
 * instances[3].features has 783 values; model m v7 expects 784}.
 *
 * <p>The body is {@code {"instances": [{"features": [..], "task": "2"}, ...]}}; {@code task} is
 * required for a task-incremental model and refused for a class-incremental one.
 *
 * @param tasks each instance's task (null for a class-incremental model)
 * @param rows each instance's features
 */
record PredictRequest(List<String> tasks, float[][] rows) {

  /**
   * Checks {@code body} against the model.
   *
   * @param maxInstances most instances accepted in one request
   */
  static PredictRequest parse(JsonNode body, ServedModel model, int maxInstances) {
    String which = "model " + model.name() + " v" + model.version();
    Scorer scorer = model.scorer();
    JsonNode instances = body.get("instances");
    if (!body.isObject() || instances == null || !instances.isArray()) {
      throw ApiException.badRequest(
          "the request body must be a JSON object with an 'instances' array");
    }
    if (instances.isEmpty()) {
      throw ApiException.badRequest("'instances' is empty; send 1 to " + maxInstances);
    }
    if (instances.size() > maxInstances) {
      throw ApiException.badRequest(
          "'instances' has "
              + instances.size()
              + " entries; at most "
              + maxInstances
              + " are accepted per request");
    }
    int width = scorer.inputDim();
    List<String> tasks = new ArrayList<>(instances.size());
    float[][] rows = new float[instances.size()][];
    for (int i = 0; i < instances.size(); i++) {
      String at = "instances[" + i + "]";
      JsonNode instance = instances.get(i);
      if (!instance.isObject()) {
        throw ApiException.badRequest(at + " must be an object with 'features'");
      }
      tasks.add(task(instance.get("task"), at, which, scorer));
      rows[i] = features(instance.get("features"), at, which, width);
    }
    return new PredictRequest(tasks, rows);
  }

  private static String task(JsonNode node, String at, String which, Scorer scorer) {
    boolean given = node != null && !node.isNull();
    if (!scorer.needsTask()) {
      if (given) {
        throw ApiException.badRequest(
            which + " is class-incremental and takes no task; remove " + at + ".task");
      }
      return null;
    }
    if (!given) {
      throw ApiException.badRequest(
          which + " is task-incremental: " + at + ".task is required, one of " + scorer.tasks());
    }
    if (!node.isTextual() && !node.isIntegralNumber()) {
      throw ApiException.badRequest(at + ".task must be a string, one of " + scorer.tasks());
    }
    String task = node.asText();
    if (!scorer.tasks().contains(task)) {
      throw ApiException.badRequest(
          at + ".task '" + task + "' is not a task of " + which + "; tasks: " + scorer.tasks());
    }
    return task;
  }

  private static float[] features(JsonNode node, String at, String which, int width) {
    if (node == null || !node.isArray()) {
      throw ApiException.badRequest(at + ".features must be an array of " + width + " numbers");
    }
    if (node.size() != width) {
      throw ApiException.badRequest(
          at + ".features has " + node.size() + " values; " + which + " expects " + width);
    }
    float[] row = new float[width];
    for (int j = 0; j < width; j++) {
      JsonNode value = node.get(j);
      if (!value.isNumber()) {
        throw ApiException.badRequest(at + ".features[" + j + "] is not a number");
      }
      float f = (float) value.doubleValue();
      if (!Float.isFinite(f)) {
        throw ApiException.badRequest(
            at
                + ".features["
                + j
                + "] = "
                + value.asText()
                + " is not a finite number (features are float32)");
      }
      row[j] = f;
    }
    return row;
  }
}
