package io.lethe.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two tables of {@code docs/metrics.md}, the contract between Lethe's exporters and the alert
 * rules and dashboards in {@code deploy/}: Lethe's own metrics (between the {@code metrics-table}
 * markers) and the other exporters' metrics Lethe uses (between the {@code external-metrics}
 * markers). Tests compare them with what the code declares and what a running stack exports.
 */
public final class MetricsDoc {
  private static final Pattern CODE = Pattern.compile("`([^`]+)`");

  /**
   * One row of Lethe's table.
   *
   * @param name the exported name, with {@code _total} for a counter
   * @param type counter, gauge, histogram or summary
   * @param labels the labels named in the row, in order (Flink's scope labels are not named)
   * @param flinkScope whether the row says the metric also carries Flink's scope labels
   */
  public record Row(String name, String type, List<String> labels, boolean flinkScope) {}

  private MetricsDoc() {}

  /** The file, found from the working directory up (a module's tests run in the module). */
  public static Path file() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      Path candidate = d.resolve("docs").resolve("metrics.md");
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("no docs/metrics.md in " + dir + " or above");
  }

  /** The rows of Lethe's table, by name. */
  public static Map<String, Row> letheMetrics() {
    Map<String, Row> rows = new java.util.LinkedHashMap<>();
    for (List<String> cells : table("metrics-table")) {
      String name = code(cells.get(0)).get(0);
      String labels = cells.get(2);
      Row row =
          new Row(
              name,
              cells.get(1).strip(),
              code(labels),
              labels.contains("scope") && (labels.contains("Flink") || labels.contains("+ scope")));
      if (rows.put(name, row) != null) {
        throw new IllegalStateException(file() + " lists " + name + " twice");
      }
    }
    return rows;
  }

  /** The names in the table of other exporters' metrics. */
  public static Set<String> externalMetrics() {
    Set<String> names = new LinkedHashSet<>();
    for (List<String> cells : table("external-metrics")) {
      names.add(code(cells.get(0)).get(0));
    }
    return names;
  }

  /** Every name in both tables. */
  public static Set<String> allNames() {
    Set<String> names = new LinkedHashSet<>(letheMetrics().keySet());
    names.addAll(externalMetrics());
    return names;
  }

  /** The body rows of the table between {@code <!-- marker:start -->} and its end, as cells. */
  static List<List<String>> table(String marker) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int start = lines.indexOf("<!-- " + marker + ":start -->");
    int end = lines.indexOf("<!-- " + marker + ":end -->");
    if (start < 0 || end < start) {
      throw new IllegalStateException(file() + " has no " + marker + " markers");
    }
    List<List<String>> rows = new ArrayList<>();
    // a header row and a separator row first
    for (String line : lines.subList(start + 3, end)) {
      if (!line.startsWith("|")) {
        continue;
      }
      String[] cells = line.substring(1, line.lastIndexOf('|')).split("\\|", -1);
      List<String> row = new ArrayList<>();
      for (String cell : cells) {
        row.add(cell.strip());
      }
      rows.add(row);
    }
    return rows;
  }

  private static List<String> code(String cell) {
    List<String> spans = new ArrayList<>();
    Matcher m = CODE.matcher(cell);
    while (m.find()) {
      spans.add(m.group(1));
    }
    return spans;
  }

  /** Parses a Prometheus text exposition into its families. */
  public static Scrape parse(String text) {
    return Scrape.parse(text);
  }

  /**
   * One sample of a scrape.
   *
   * @param labels the label set as written, e.g. {@code {model="m",reason="x"}}, or empty
   * @param value its value
   */
  public record Sample(String labels, double value) {
    /** The value of label {@code name}, or null. */
    public String label(String name) {
      Matcher m = Pattern.compile("[{,]" + Pattern.quote(name) + "=\"([^\"]*)\"").matcher(labels);
      return m.find() ? m.group(1) : null;
    }
  }

  /**
   * The families of a Prometheus text exposition: their types (from {@code # TYPE}) and samples.
   *
   * @param types the type of each family that declares one
   * @param samples every sample by its metric name (with {@code _bucket}, {@code _total} etc.)
   */
  public record Scrape(Map<String, String> types, Map<String, List<Sample>> samples) {
    static Scrape parse(String text) {
      Map<String, String> types = new HashMap<>();
      Map<String, List<Sample>> samples = new HashMap<>();
      for (String line : text.split("\n")) {
        if (line.startsWith("# TYPE ")) {
          String[] parts = line.split(" ");
          types.put(parts[2], parts[3]);
        } else if (!line.isBlank() && !line.startsWith("#")) {
          int brace = line.indexOf('{');
          int space = line.indexOf(' ');
          boolean labelled = brace >= 0 && brace < space;
          int close = labelled ? line.lastIndexOf('}') : -1;
          String name = line.substring(0, labelled ? brace : space);
          String labels = labelled ? line.substring(brace, close + 1) : "";
          String[] rest = line.substring(labelled ? close + 1 : space).strip().split(" ");
          samples
              .computeIfAbsent(name, n -> new ArrayList<>())
              .add(new Sample(labels, parseValue(rest[0])));
        }
      }
      return new Scrape(types, samples);
    }

    private static double parseValue(String text) {
      return switch (text) {
        case "+Inf" -> Double.POSITIVE_INFINITY;
        case "-Inf" -> Double.NEGATIVE_INFINITY;
        case "NaN" -> Double.NaN;
        default -> Double.parseDouble(text);
      };
    }

    /**
     * Whether {@code name} is exported: a sample of that name, or a histogram or summary family of
     * that name (whose samples are {@code name_bucket}, {@code name_count} and so on).
     */
    public boolean has(String name) {
      return samples.containsKey(name)
          || (types.containsKey(name) && samples.containsKey(name + "_count"));
    }

    /** Whether any sample's name starts with {@code prefix}. */
    public boolean hasPrefix(String prefix) {
      return samples.keySet().stream().anyMatch(n -> n.startsWith(prefix));
    }
  }
}
