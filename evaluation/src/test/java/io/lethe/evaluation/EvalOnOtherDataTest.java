package io.lethe.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lethe.cli.Cli;
import io.lethe.learners.analytic.AnalyticSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code lethe eval} on data sets other than Fashion-MNIST: tiny IDX files written here. */
class EvalOnOtherDataTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine line = Cli.commandLine(new EvalCommand());
    line.setOut(new PrintWriter(out, true));
    line.setErr(new PrintWriter(err, true));
    return Cli.execute(line, args);
  }

  /**
   * The one line printed for a refused command line, without its pointer to the help; it never
   * names Fashion-MNIST.
   */
  private String refused(String... args) {
    assertThat(run(args)).as(err.toString()).isEqualTo(Cli.USAGE);
    String line = err.toString().strip();
    assertThat(line.lines()).hasSize(1);
    assertThat(line).doesNotContain("Fashion-MNIST").matches(".*; see 'lethe eval \\w+ --help'");
    return line.substring(0, line.lastIndexOf("; see '"));
  }

  /** {@link #refused} for {@code command} on {@code data}: 4 features, tasks {0,1} and {2,3}. */
  private String refusedOnTwoTasksOfFour(String command, Path data) {
    return refused(
        command,
        "--report",
        "r.json",
        "--data",
        data.toString(),
        "--features",
        "4",
        "--tasks",
        "0,1/2,3");
  }

  @Test
  void shouldRefuseLabelsOutsideTheDeclaredClasses() throws Exception {
    Path data =
        IdxFiles.write(
            dir.resolve("digits"),
            2,
            2,
            IdxFiles.cycle(40, 0, 1, 2, 3, 7),
            IdxFiles.cycle(10, 0, 1, 2, 3),
            true);
    assertThat(refusedOnTwoTasksOfFour("hypernet", data))
        .isEqualTo(
            "lethe eval hypernet: the train split in "
                + data
                + " has 8 samples of classes outside --tasks 0,1/2,3 (the first, row 4, of class"
                + " 7); put every class of the data in a task");
    assertThat(Files.exists(dir.resolve("r.json"))).isFalse();
  }

  @Test
  void shouldRefuseDataWithAnotherNumberOfFeatures() throws Exception {
    Path data =
        IdxFiles.write(
            dir.resolve("wide"),
            3,
            2,
            IdxFiles.cycle(20, 0, 1, 2, 3),
            IdxFiles.cycle(8, 0, 1, 2, 3),
            false);
    assertThat(
            refused(
                "analytic", "--report", "r.json", "--data", data.toString(), "--tasks", "0,1/2,3"))
        .isEqualTo(
            "lethe eval analytic: the train split in "
                + data
                + " has 6 features per sample, but --features is 784");
  }

  @Test
  void shouldNameTheDirectoryAndTheCauseWhenAFileCannotBeRead() throws Exception {
    Path data =
        IdxFiles.write(
            dir.resolve("broken"),
            2,
            2,
            IdxFiles.cycle(20, 0, 1, 2, 3),
            IdxFiles.cycle(8, 0, 1, 2, 3),
            true);
    Files.writeString(data.resolve("t10k-labels-idx1-ubyte.gz"), "not gzip");
    assertThat(refusedOnTwoTasksOfFour("hypernet", data))
        .isEqualTo(
            "lethe eval hypernet: cannot read the data set in "
                + data
                + ": t10k-labels-idx1-ubyte.gz: Not in GZIP format");
  }

  @Test
  void shouldNameTheDirectoryWhenAFileOrTheDirectoryIsMissing() throws Exception {
    Path data =
        IdxFiles.write(
            dir.resolve("partial"),
            2,
            2,
            IdxFiles.cycle(20, 0, 1, 2, 3),
            IdxFiles.cycle(8, 0, 1, 2, 3),
            false);
    Files.delete(data.resolve("train-labels-idx1-ubyte"));
    assertThat(refused("analytic", "--report", "r.json", "--data", data.toString()))
        .isEqualTo(
            "lethe eval analytic: cannot read the data set in "
                + data
                + ": it holds neither train-labels-idx1-ubyte.gz nor train-labels-idx1-ubyte (the"
                + " IDX layout of MNIST: train-images, train-labels, t10k-images, t10k-labels)");
    err.getBuffer().setLength(0);
    assertThat(
            refused("analytic", "--report", "r.json", "--data", dir.resolve("nowhere").toString()))
        .isEqualTo(
            "lethe eval analytic: cannot read the data set in "
                + dir.resolve("nowhere")
                + ": no such directory");
  }

  @Test
  void shouldRefuseATaskSplitWithSharedOrLoneClasses() {
    assertThat(refused("hypernet", "--report", "r.json", "--tasks", "0,1/1,2"))
        .startsWith(
            "lethe eval hypernet: Invalid value for option '--tasks': class 1 is in more than one"
                + " task");
    err.getBuffer().setLength(0);
    assertThat(refused("analytic", "--report", "r.json", "--tasks", "0,1/2,3/4"))
        .startsWith(
            "lethe eval analytic: Invalid value for option '--tasks': task 4 has 1 class, expected"
                + " at least 2");
  }

  @Test
  void shouldEvaluateTheHypernetworkOnAnotherSplitAndAuditAgainstTheMajorityShare()
      throws Exception {
    // task 1 = {2, 3, 4}; its test set holds class 2 three times as often as 3 or 4: chance 0.6
    int[] test = IdxFiles.concat(IdxFiles.cycle(20, 0, 1), IdxFiles.cycle(25, 2, 2, 2, 3, 4));
    Path data =
        IdxFiles.write(dir.resolve("five"), 2, 2, IdxFiles.cycle(200, 0, 1, 2, 3, 4), test, true);
    Path report = dir.resolve("report.json");

    int code =
        run(
            "hypernet",
            "--report",
            report.toString(),
            "--data",
            data.toString(),
            "--features",
            "4",
            "--tasks",
            "0,1/2,3,4",
            "--samples-per-task",
            "50",
            "--micro-batch",
            "16");

    assertThat(code).as(err.toString()).isZero();
    JsonNode json = EvalReport.mapper().readTree(report.toFile());
    JsonNode protocol = json.get("protocol");
    assertThat(protocol.get("features").asInt()).isEqualTo(4);
    assertThat(protocol.get("tasks").asText()).isEqualTo("0,1/2,3,4");
    assertThat(protocol.get("data").asText()).isEqualTo(data.toString());
    assertThat(protocol.get("train_samples_per_task").toString()).isEqualTo("[50,50]");
    assertThat(protocol.get("test_samples_per_task").toString()).isEqualTo("[20,25]");
    JsonNode erasure = json.get("erasure");
    assertThat(erasure.get("erased_task").asText()).isEqualTo("1");
    assertThat(erasure.get("chance_accuracy").asDouble()).isEqualTo(0.6);
    assertThat(erasure.get("chance_baseline").asText()).contains("majority class share");
    assertThat(out.toString()).contains("(chance 0.6000, its test set's majority class share)");
  }

  @Test
  void shouldEvaluateTheAnalyticLearnerOnAnotherSplit() throws Exception {
    Path data =
        IdxFiles.write(
            dir.resolve("six"),
            3,
            3,
            IdxFiles.cycle(300, 0, 1, 2, 3, 4, 5),
            IdxFiles.cycle(60, 0, 1, 2, 3, 4, 5),
            false);
    Path report = dir.resolve("analytic.json");

    int code =
        run(
            "analytic",
            "--report",
            report.toString(),
            "--data",
            data.toString(),
            "--features",
            "9",
            "--tasks",
            "5,0/1,2/3,4",
            "--task-order",
            "2,0,1",
            "--buffer-size",
            "32",
            "--batch-size",
            "50");

    assertThat(code).as(err.toString()).isZero();
    JsonNode json = EvalReport.mapper().readTree(report.toFile());
    assertThat(json.get("protocol").get("tasks").asText()).isEqualTo("5,0/1,2/3,4");
    assertThat(json.get("protocol").get("features").asInt()).isEqualTo(9);
    assertThat(json.get("tasks").toString()).isEqualTo("[\"2\",\"0\",\"1\"]");
    assertThat(json.get("settings").get(AnalyticSettings.INPUT_DIM.key()).asInt()).isEqualTo(9);
  }

  @Test
  void shouldNameTheDirectoryWhenAFileIsCutShortOrTheCountsDisagree() throws Exception {
    Path data =
        IdxFiles.write(
            dir.resolve("cut"),
            2,
            2,
            IdxFiles.cycle(20, 0, 1, 2, 3),
            IdxFiles.cycle(8, 0, 1, 2, 3),
            false);
    Path labels = data.resolve("train-labels-idx1-ubyte");
    byte[] bytes = Files.readAllBytes(labels);
    Files.write(labels, java.util.Arrays.copyOf(bytes, bytes.length - 5));
    assertThat(refusedOnTwoTasksOfFour("analytic", data))
        .isEqualTo(
            "lethe eval analytic: cannot read the data set in "
                + data
                + ": train-labels-idx1-ubyte ends before the size its header declares");

    Path other =
        IdxFiles.write(
            dir.resolve("other"),
            2,
            2,
            IdxFiles.cycle(16, 0, 1, 2, 3),
            IdxFiles.cycle(8, 0, 1, 2, 3),
            false);
    Files.copy(
        other.resolve("train-labels-idx1-ubyte"),
        labels,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    err.getBuffer().setLength(0);
    assertThat(refusedOnTwoTasksOfFour("analytic", data))
        .isEqualTo(
            "lethe eval analytic: cannot read the data set in "
                + data
                + ": train-images-idx3-ubyte holds 20 images but train-labels-idx1-ubyte holds 16"
                + " labels");
  }
}
