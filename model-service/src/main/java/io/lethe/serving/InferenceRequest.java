package io.lethe.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.lethe.learners.snapshot.Scorer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An Open Inference Protocol inference request, checked against the model that will score it. Every
 * problem is an {@link ApiException} (400) whose message names the offending field, e.g. {@code
 * inputs[0] (features) has shape [1, 783]; model m v7 takes [N, 784]}.
 *
 * <p>The body is {@code {"id": "42", "parameters": {"task": "a"}, "inputs": [{"name": "features",
 * "datatype": "FP32", "shape": [N, D], "data": [...]}], "outputs": [{"name": "label"}]}}:
 *
 * <ul>
 *   <li>{@value #FEATURES}: FP32 or FP64, shape {@code [N, D]} with D the model's input width, data
 *       flat (row-major) or nested as the shape. FP64 values are scored as float32, like every
 *       feature (the model's precision), so FP32 and FP64 requests of the same numbers answer
 *       alike; a value beyond float32's range is refused.
 *   <li>The task of a task-incremental model: either the request parameter {@value #TASK} (string
 *       or integer, for every row) or a {@code BYTES} input {@value #TASK} of shape {@code [N]},
 *       one per row; not both. A class-incremental model takes neither.
 *   <li>{@code outputs}: a subset of {@link #OUTPUTS}, in the order answered; all of them if
 *       absent.
 * </ul>
 *
 * Parameters the service does not know are ignored, as the protocol lets clients send their own.
 * The binary tensor data extension is not implemented: an input sent as binary data is refused, and
 * a request for binary outputs ({@code binary_data_output}, an output's {@code binary_data}, which
 * Triton's client sends by default) is answered with JSON data, which such clients read as well.
 *
 * @param id the request's {@code id}, echoed in the response, or null
 * @param tasks each row's task (null for a class-incremental model)
 * @param rows each row's features
 * @param outputs the outputs to answer, in order
 */
record InferenceRequest(String id, List<String> tasks, float[][] rows, List<String> outputs) {
  /** The input tensor of features. */
  static final String FEATURES = "features";

  /** The task: the request parameter and the optional BYTES input. */
  static final String TASK = "task";

  /** Predicted class label per row, INT64 {@code [N]}. */
  static final String LABEL = "label";

  /** The predicted class's score per row, FP64 {@code [N]}. */
  static final String SCORE = "score";

  /** Every class's score per row, FP64 {@code [N, C]}, columns as in {@link #CLASSES}. */
  static final String SCORES = "scores";

  /** The class label of each column of {@link #SCORES}, per row, INT64 {@code [N, C]}. */
  static final String CLASSES = "classes";

  /** Every output, in the order answered when the request names none. */
  static final List<String> OUTPUTS = List.of(LABEL, SCORE, SCORES, CLASSES);

  /** Feature datatypes read. */
  static final List<String> FEATURE_TYPES = List.of("FP32", "FP64");

  private static final String BYTES = "BYTES";

  /**
   * Checks {@code body} against the model.
   *
   * @param maxInstances most rows accepted in one request
   */
  static InferenceRequest parse(JsonNode body, ServedModel model, int maxInstances) {
    String which = "model " + model.name() + " v" + model.version();
    Scorer scorer = model.scorer();
    JsonNode inputs = body.get("inputs");
    if (!body.isObject() || inputs == null || !inputs.isArray()) {
      throw ApiException.badRequest(
          "the request body must be a JSON object with an 'inputs' array");
    }
    String id = id(body.get("id"));
    JsonNode taskParameter = parameters(body.get("parameters"), "parameters").get(TASK);
    Map<String, JsonNode> byName = new LinkedHashMap<>();
    Map<String, String> where = new LinkedHashMap<>();
    for (int i = 0; i < inputs.size(); i++) {
      String at = "inputs[" + i + "]";
      JsonNode input = inputs.get(i);
      JsonNode name = input.get("name");
      if (!input.isObject() || name == null || !name.isTextual()) {
        throw ApiException.badRequest(
            at + " must be an object with a 'name', 'datatype', 'shape' and 'data'");
      }
      if (!name.asText().equals(FEATURES) && !name.asText().equals(TASK)) {
        throw ApiException.badRequest(
            at
                + " is named '"
                + name.asText()
                + "'; "
                + which
                + " takes the inputs "
                + inputNames(scorer));
      }
      if (byName.put(name.asText(), input) != null) {
        throw ApiException.badRequest(
            at + " repeats the input '" + name.asText() + "'; send each input once");
      }
      where.put(name.asText(), at + " (" + name.asText() + ")");
      JsonNode binary =
          parameters(input.get("parameters"), at + ".parameters").get("binary_data_size");
      if (binary != null) {
        throw ApiException.badRequest(
            at
                + " is sent as binary data (binary_data_size); the service reads tensor data as"
                + " JSON only");
      }
    }
    JsonNode features = byName.get(FEATURES);
    if (features == null) {
      throw ApiException.badRequest(
          "'inputs' has no '" + FEATURES + "' tensor; " + which + " takes " + inputNames(scorer));
    }
    float[][] rows =
        features(features, where.get(FEATURES), which, scorer.inputDim(), maxInstances);
    List<String> tasks =
        tasks(taskParameter, byName.get(TASK), where.get(TASK), rows.length, which, scorer);
    List<String> outputs = outputs(body.get("outputs"));
    if (outputs.contains(SCORES) || outputs.contains(CLASSES)) {
      requireOneClassCount(tasks, scorer);
    }
    return new InferenceRequest(id, tasks, rows, outputs);
  }

  private static String inputNames(Scorer scorer) {
    String features = "'" + FEATURES + "' (FP32 or FP64, [N, " + scorer.inputDim() + "])";
    return scorer.needsTask()
        ? features + " and optionally '" + TASK + "' (BYTES, [N]; or the parameter '" + TASK + "')"
        : features + " only";
  }

  private static String id(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw ApiException.badRequest("'id' must be a string");
    }
    return node.asText();
  }

  /** A {@code parameters} object (empty if absent). */
  private static JsonNode parameters(JsonNode node, String at) {
    if (node == null || node.isNull()) {
      return MissingNode.getInstance();
    }
    if (!node.isObject()) {
      throw ApiException.badRequest(at + " must be an object of names and values");
    }
    return node;
  }

  /** The shape of tensor {@code input}: non-negative integers. */
  private static long[] shape(JsonNode input, String at) {
    JsonNode shape = input.get("shape");
    if (shape == null || !shape.isArray()) {
      throw ApiException.badRequest(at + ".shape must be an array of dimensions");
    }
    long[] dims = new long[shape.size()];
    for (int k = 0; k < dims.length; k++) {
      JsonNode dim = shape.get(k);
      if (!dim.canConvertToLong() || !dim.isIntegralNumber() || dim.asLong() < 0) {
        throw ApiException.badRequest(at + ".shape[" + k + "] must be a non-negative integer");
      }
      dims[k] = dim.asLong();
    }
    return dims;
  }

  private static String datatype(JsonNode input, String at) {
    JsonNode datatype = input.get("datatype");
    if (datatype == null || !datatype.isTextual()) {
      throw ApiException.badRequest(at + ".datatype must be a string such as \"FP32\"");
    }
    return datatype.asText();
  }

  private static float[][] features(
      JsonNode input, String at, String which, int width, int maxInstances) {
    String datatype = datatype(input, at);
    if (!FEATURE_TYPES.contains(datatype)) {
      throw ApiException.badRequest(
          at + " has datatype " + datatype + "; " + which + " takes FP32 or FP64");
    }
    long[] shape = shape(input, at);
    if (shape.length != 2 || shape[1] != width) {
      throw ApiException.badRequest(
          at + " has shape " + Arrays.toString(shape) + "; " + which + " takes [N, " + width + "]");
    }
    if (shape[0] == 0) {
      throw ApiException.badRequest(at + " has 0 rows; send 1 to " + maxInstances);
    }
    if (shape[0] > maxInstances) {
      throw ApiException.badRequest(
          at + " has " + shape[0] + " rows; at most " + maxInstances + " are accepted per request");
    }
    List<JsonNode> values = elements(input.get("data"), shape, at);
    float[][] rows = new float[(int) shape[0]][width];
    for (int i = 0; i < rows.length; i++) {
      for (int j = 0; j < width; j++) {
        JsonNode value = values.get(i * width + j);
        if (!value.isNumber()) {
          throw ApiException.badRequest(at + " element [" + i + ", " + j + "] is not a number");
        }
        float f = (float) value.doubleValue();
        if (!Float.isFinite(f)) {
          throw ApiException.badRequest(
              at
                  + " element ["
                  + i
                  + ", "
                  + j
                  + "] = "
                  + value.asText()
                  + " is not a finite number (features are float32)");
        }
        rows[i][j] = f;
      }
    }
    return rows;
  }

  /**
   * The elements of a tensor's {@code data} in row-major order: flat, or nested exactly as {@code
   * shape} (both as the protocol allows).
   */
  private static List<JsonNode> elements(JsonNode data, long[] shape, String at) {
    if (data == null || !data.isArray()) {
      throw ApiException.badRequest(at + ".data must be an array");
    }
    long count = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    List<JsonNode> out = new ArrayList<>((int) Math.min(count, Integer.MAX_VALUE - 8));
    boolean nested = !data.isEmpty() && data.get(0).isArray();
    if (!nested) {
      if (data.size() != count) {
        throw ApiException.badRequest(
            at
                + ".data has "
                + data.size()
                + " values; shape "
                + Arrays.toString(shape)
                + " needs "
                + count);
      }
      data.forEach(out::add);
      return out;
    }
    collect(data, shape, 0, at + ".data", out);
    return out;
  }

  private static void collect(
      JsonNode node, long[] shape, int depth, String path, List<JsonNode> out) {
    if (depth == shape.length || !node.isArray() || node.size() != shape[depth]) {
      throw ApiException.badRequest(
          path
              + " does not match the shape "
              + Arrays.toString(shape)
              + ": nest the data as the shape, or send it flat in row-major order");
    }
    for (int k = 0; k < node.size(); k++) {
      JsonNode child = node.get(k);
      if (depth == shape.length - 1) {
        if (child.isArray()) {
          throw ApiException.badRequest(
              path + "[" + k + "] is nested deeper than the shape " + Arrays.toString(shape));
        }
        out.add(child);
      } else {
        collect(child, shape, depth + 1, path + "[" + k + "]", out);
      }
    }
  }

  /** Each row's task, from the parameter or the BYTES input. */
  private static List<String> tasks(
      JsonNode parameter, JsonNode input, String at, int rows, String which, Scorer scorer) {
    if (!scorer.needsTask()) {
      if (parameter != null) {
        throw ApiException.badRequest(
            which + " is class-incremental and takes no task; remove parameters.task");
      }
      if (input != null) {
        throw ApiException.badRequest(
            which + " is class-incremental and takes no task; remove the input '" + TASK + "'");
      }
      return Collections.nCopies(rows, null);
    }
    if (parameter != null && input != null) {
      throw ApiException.badRequest(
          "the task is given twice, as parameters.task and as the input '"
              + TASK
              + "'; send one of them");
    }
    if (parameter != null) {
      if (!parameter.isTextual() && !parameter.isIntegralNumber()) {
        throw ApiException.badRequest("parameters.task must be a string, one of " + scorer.tasks());
      }
      return Collections.nCopies(rows, known(parameter.asText(), "parameters.task", which, scorer));
    }
    if (input == null) {
      throw ApiException.badRequest(
          which
              + " is task-incremental: give the task as parameters.task or as a BYTES input '"
              + TASK
              + "' of shape ["
              + rows
              + "], one of "
              + scorer.tasks());
    }
    String datatype = datatype(input, at);
    if (!datatype.equals(BYTES)) {
      throw ApiException.badRequest(at + " has datatype " + datatype + "; send the task as BYTES");
    }
    long[] shape = shape(input, at);
    if (!(shape.length == 1 && shape[0] == rows)
        && !(shape.length == 2 && shape[0] == rows && shape[1] == 1)) {
      throw ApiException.badRequest(
          at
              + " has shape "
              + Arrays.toString(shape)
              + "; it needs one task per row of '"
              + FEATURES
              + "': ["
              + rows
              + "]");
    }
    List<JsonNode> values = elements(input.get("data"), shape, at);
    List<String> tasks = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) {
      JsonNode value = values.get(i);
      if (!value.isTextual()) {
        throw ApiException.badRequest(
            at + " element [" + i + "] must be a string, one of " + scorer.tasks());
      }
      tasks.add(known(value.asText(), at + " element [" + i + "]", which, scorer));
    }
    return tasks;
  }

  private static String known(String task, String at, String which, Scorer scorer) {
    if (!scorer.tasks().contains(task)) {
      throw ApiException.badRequest(
          at + " '" + task + "' is not a task of " + which + "; tasks: " + scorer.tasks());
    }
    return task;
  }

  private static List<String> outputs(JsonNode node) {
    if (node == null || node.isNull()) {
      return OUTPUTS;
    }
    if (!node.isArray()) {
      throw ApiException.badRequest("'outputs' must be an array of {\"name\": ...} objects");
    }
    if (node.isEmpty()) {
      throw ApiException.badRequest("'outputs' is empty; leave it out to get every output");
    }
    Set<String> names = new LinkedHashSet<>();
    for (int i = 0; i < node.size(); i++) {
      String at = "outputs[" + i + "]";
      JsonNode output = node.get(i);
      JsonNode name = output.get("name");
      if (!output.isObject() || name == null || !name.isTextual()) {
        throw ApiException.badRequest(at + " must be an object with a 'name'");
      }
      if (!OUTPUTS.contains(name.asText())) {
        throw ApiException.badRequest(
            at + " asks for '" + name.asText() + "'; the outputs are " + OUTPUTS);
      }
      if (!names.add(name.asText())) {
        throw ApiException.badRequest(at + " repeats '" + name.asText() + "'; ask once");
      }
      // binary_data asks for the binary extension's form; the JSON answered instead says so by
      // having no binary_data_size, and clients (Triton's) read either
      parameters(output.get("parameters"), at + ".parameters");
    }
    return List.copyOf(names);
  }

  /** Scores and classes are [N, C] tensors: every row's task must have as many classes. */
  private static void requireOneClassCount(List<String> tasks, Scorer scorer) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String task : new LinkedHashSet<>(tasks)) {
      counts.put(task, scorer.classes(task).size());
    }
    if (new LinkedHashSet<>(counts.values()).size() > 1) {
      throw ApiException.badRequest(
          "the rows' tasks have different numbers of classes ("
              + counts.entrySet().stream()
                  .map(e -> e.getKey() + ": " + e.getValue())
                  .collect(Collectors.joining(", "))
              + "), so '"
              + SCORES
              + "' and '"
              + CLASSES
              + "' cannot be [N, C] tensors: send one task per request, or ask only for '"
              + LABEL
              + "' and '"
              + SCORE
              + "'");
    }
  }
}
