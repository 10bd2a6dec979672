package io.lethe.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shortened demo CI runs as a smoke test: three tasks of 150 samples through the whole embedded
 * stack (broker, registry, ingress, Flink job, model service), both models, the erasures, and a
 * complete report whose analytic model equals the offline retrain, on the secured default
 * (SASL/SCRAM and ACLs). The printed console link opens in headless Chromium on both models and a
 * completed erasure. No log line at INFO or above names a data subject.
 */
class DemoIT {

  @Test
  void shouldRunTheShortDemoToACompleteReport(@TempDir Path dir) throws Exception {
    DemoOptions options =
        DemoOptions.parse(
            "--tasks", "3",
            "--samples-per-task", "150",
            "--buffer-size", "256",
            "--dashboard-port", "0",
            "--serve-port", "0",
            "--ingress-port", "0",
            "--metrics-port", "0",
            "--report", dir.resolve("report.json").toString());
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    DemoReport report;
    List<String> logged;
    try (LogCapture logs = new LogCapture();
        PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
        Demo demo = Demo.run(options, out)) {
      report = demo.report();
      report.print(out);
      report.write(options.report());
      inConsole(console.toString(StandardCharsets.UTF_8), report);
      logged = logs.lines();
    } finally {
      System.out.println(console.toString(StandardCharsets.UTF_8));
    }
    String printed = console.toString(StandardCharsets.UTF_8);

    assertThat(report.missing()).isEmpty();
    JsonNode json = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
    assertThat(json.get("models")).hasSize(2);
    for (JsonNode model : json.get("models")) {
      assertThat(model.get("accuracy_matrix")).hasSize(3);
      assertThat(model.get("average_accuracy").asDouble()).isGreaterThan(0.3);
    }
    JsonNode analytic = json.get("models").get(0);
    assertThat(analytic.get("name").asText()).isEqualTo(Demo.ANALYTIC);
    // task 0 learned first: the analytic model tells its two classes apart
    assertThat(analytic.get("accuracy_matrix").get(0).get(0).asDouble()).isGreaterThan(0.8);
    assertThat(json.get("erasures")).hasSize(5);
    for (JsonNode erasure : json.get("erasures")) {
      assertThat(erasure.get("status").asText()).as(erasure.toString()).isEqualTo("COMPLETED");
      assertThat(erasure.get("receipt_latency_ms").asLong()).isPositive();
      assertThat(erasure.get("guarantee").get(Demo.ANALYTIC).asText()).isEqualTo("EXACT");
      // the hypernetwork forgets subjects, samples and tasks, each approximately
      assertThat(erasure.get("guarantee").get(Demo.HYPERNET).asText())
          .as(erasure.toString())
          .isEqualTo("APPROXIMATE");
    }
    assertThat(json.get("erasures"))
        .extracting(e -> e.get("scope").asText())
        .containsExactly("SUBJECT", "SUBJECT", "SUBJECT", "SAMPLE", "TASK");
    assertThat(json.get("analytic_exactness").asDouble()).isLessThan(1e-9);
    assertThat(json.get("samples_per_second").asDouble()).isPositive();
    assertThat(printed)
        .contains(
            "Flink dashboard", "Lethe console", "model service", "==== lethe demo report ====");
    assertThat(printed).containsPattern("  metrics +http://127\\.0\\.0\\.1:\\d+/metrics \\(job\\)");
    assertThat(printed).contains("SASL/SCRAM with ACLs", "lethe-producer.properties");

    // The demo's subjects are subject-0 ... subject-99; three of them are erased by id.
    assertThat(logged).as("log lines at INFO or above").isNotEmpty();
    Pattern subjectId = Pattern.compile("\\bsubject-\\d+\\b");
    assertThat(logged)
        .as("log lines at INFO or above that name a data subject")
        .noneMatch(line -> subjectId.matcher(line).find());
  }

  /**
   * What a person does with the printed console line: opens it in a browser (headless Chromium)
   * with the token file's token. The page shows both models with an accuracy, and the demo's first
   * erasure as completed; the browser console stays clean. Keeps a screenshot in {@code
   * target/console/demo-console.png} and prints the load time.
   */
  @SuppressWarnings("unchecked")
  private static void inConsole(String printed, DemoReport report) throws Exception {
    Matcher line =
        Pattern.compile("Lethe console\\s+(\\S+) \\(sign in with the token in (\\S+)\\)")
            .matcher(printed);
    assertThat(line.find()).as(printed).isTrue();
    String token = Files.readString(Path.of(line.group(2))).strip();
    String request =
        (String)
            ((List<Map<String, Object>>) report.content().get("erasures")).get(0).get("request_id");
    try (ConsoleBrowser browser = ConsoleBrowser.open(line.group(1), token)) {
      for (String model : List.of(Demo.ANALYTIC, Demo.HYPERNET)) {
        assertThat(browser.modelRow(model, "%")).contains(model).contains("%");
      }
      assertThat(browser.searchErasure(request, request)).contains("completed").contains("EXACT");
      browser.text();
      browser.loadTime();
      browser.screenshot(Path.of("target", "console", "demo-console.png"));
      assertThat(browser.consoleProblems()).as("browser console warnings and errors").isEmpty();
    }
  }
}
