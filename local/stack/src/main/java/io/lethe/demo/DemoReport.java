package io.lethe.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lethe.records.ErasureReceipt;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the demo measured: per model its accuracy matrix (accuracy on task j after learning task i,
 * through the model service; null where the model cannot answer: a task not learned yet, or erased
 * from a task-incremental model), average accuracy and backward transfer; per erasure request its
 * receipt; the analytic model's distance to an offline retrain; the throughput.
 *
 * @param content the report as the JSON object written by {@link #write}
 */
record DemoReport(Map<String, Object> content) {

  static DemoReport of(
      DemoOptions options,
      List<String> models,
      Map<String, List<List<Double>>> matrices,
      String erasedTask,
      Map<String, Instant> requested,
      Map<String, ErasureReceipt> receipts,
      Double analyticExactness,
      double samplesPerSecond) {
    Map<String, Object> content = new LinkedHashMap<>();
    List<Map<String, Object>> modelReports = new ArrayList<>();
    for (String model : models) {
      List<List<Double>> matrix = matrices.get(model);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", model);
      m.put("learner", Demo.learnerOf(model));
      m.put("accuracy_matrix", matrix);
      m.put("average_accuracy", averageOfLastRow(matrix));
      m.put("bwt", backwardTransfer(matrix));
      modelReports.add(m);
    }
    content.put("models", modelReports);
    content.put("tasks", options.tasks());
    content.put("samples_per_task", options.samplesPerTask());
    content.put("erased_task", erasedTask);
    List<Map<String, Object>> erasures = new ArrayList<>();
    requested.forEach(
        (id, at) -> {
          ErasureReceipt receipt = receipts.get(id);
          Map<String, Object> e = new LinkedHashMap<>();
          e.put("request_id", id);
          e.put(
              "scope",
              id.startsWith("demo-task-")
                  ? "TASK"
                  : id.startsWith("demo-samples-") ? "SAMPLE" : "SUBJECT");
          e.put("status", receipt == null ? "NO_RECEIPT" : receipt.getStatus().name());
          Map<String, Object> guarantee = new LinkedHashMap<>();
          Map<String, Object> firstVersion = new LinkedHashMap<>();
          if (receipt != null) {
            receipt
                .getModels()
                .forEach(
                    me -> {
                      guarantee.put(me.getModel(), me.getGuarantee().name());
                      firstVersion.put(me.getModel(), me.getFirstVersionWithout());
                    });
          }
          e.put("guarantee", guarantee);
          e.put("first_version_without", firstVersion);
          e.put("receipt_latency_ms", receipt == null ? null : receipt.getLatencyMs());
          erasures.add(e);
        });
    content.put("erasures", erasures);
    content.put("analytic_exactness", analyticExactness);
    content.put("samples_per_second", samplesPerSecond);
    return new DemoReport(content);
  }

  /** Mean of the last row over the tasks it has a value for. */
  static Double averageOfLastRow(List<List<Double>> matrix) {
    if (matrix.isEmpty()) {
      return null;
    }
    List<Double> last = matrix.get(matrix.size() - 1);
    double sum = 0;
    int n = 0;
    for (Double v : last) {
      if (v != null) {
        sum += v;
        n++;
      }
    }
    return n == 0 ? null : sum / n;
  }

  /** Mean over tasks j before the last of a[last][j] - a[j][j], where both exist. */
  static Double backwardTransfer(List<List<Double>> matrix) {
    int last = matrix.size() - 1;
    double sum = 0;
    int n = 0;
    for (int j = 0; j < last; j++) {
      Double end = matrix.get(last).get(j);
      Double learned = matrix.get(j).get(j);
      if (end != null && learned != null) {
        sum += end - learned;
        n++;
      }
    }
    return n == 0 ? null : sum / n;
  }

  /** Whether every part a report must have is there: models, receipts, exactness, throughput. */
  public List<String> missing() {
    List<String> missing = new ArrayList<>();
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> models = (List<Map<String, Object>>) content.get("models");
    if (models == null || models.isEmpty()) {
      missing.add("models");
    } else {
      for (Map<String, Object> m : models) {
        if (m.get("average_accuracy") == null) {
          missing.add("average_accuracy of " + m.get("name"));
        }
      }
    }
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> erasures = (List<Map<String, Object>>) content.get("erasures");
    for (Map<String, Object> e : erasures) {
      if (e.get("receipt_latency_ms") == null) {
        missing.add("receipt for " + e.get("request_id"));
      }
    }
    if (content.get("analytic_exactness") == null
        && models != null
        && models.stream().anyMatch(m -> "ANALYTIC".equals(m.get("learner")))) {
      missing.add("analytic_exactness");
    }
    return missing;
  }

  /** Writes the report as pretty-printed JSON. */
  public void write(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(file.toFile(), content);
  }

  /** Prints the report for a terminal. */
  @SuppressWarnings("unchecked")
  public void print(PrintStream out) {
    out.println();
    out.println("==== lethe demo report ====");
    for (Map<String, Object> m : (List<Map<String, Object>>) content.get("models")) {
      out.printf(
          "%n%s (%s): average accuracy %s, backward transfer %s%n",
          m.get("name"), m.get("learner"), format(m.get("average_accuracy")), format(m.get("bwt")));
      out.println("  accuracy on task j (columns) after learning task i (rows):");
      int i = 0;
      for (List<Double> row : (List<List<Double>>) m.get("accuracy_matrix")) {
        StringBuilder line = new StringBuilder("  after task " + i++ + ":");
        for (Double v : row) {
          line.append(String.format(" %6s", v == null ? "-" : String.format("%.3f", v)));
        }
        out.println(line);
      }
    }
    out.printf("%nerasures (task %s erased):%n", content.get("erased_task"));
    for (Map<String, Object> e : (List<Map<String, Object>>) content.get("erasures")) {
      out.printf(
          "  %-20s %-8s %-10s receipt after %s ms, guarantee %s, first version without %s%n",
          e.get("request_id"),
          e.get("scope"),
          e.get("status"),
          e.get("receipt_latency_ms"),
          e.get("guarantee"),
          e.get("first_version_without"));
    }
    Object exactness = content.get("analytic_exactness");
    if (exactness != null) {
      out.printf(
          "%nanalytic model vs offline retrain on the retained data: max relative difference %.2e"
              + " (bar 1e-9)%n",
          (Double) exactness);
    }
    out.printf(
        "throughput: %.0f samples/s learned by all models (feeding to served)%n",
        (Double) content.get("samples_per_second"));
  }

  private static String format(Object value) {
    return value == null ? "-" : String.format("%.4f", (Double) value);
  }
}
