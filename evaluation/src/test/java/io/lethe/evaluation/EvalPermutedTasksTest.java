package io.lethe.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lethe.cli.Cli;
import io.lethe.learners.hypernet.HypernetSettings;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code lethe eval hypernet --permuted-tasks}: the options it makes and a run on tiny data. */
class EvalPermutedTasksTest {
  @TempDir Path dir;

  @Test
  void shouldMakeTasksOfEveryClassWithOneOutputPerClass() {
    CommandLine line = Cli.commandLine(new EvalCommand());
    CommandLine.ParseResult parsed =
        line.parseArgs(
            "hypernet",
            "--report",
            "r.json",
            "--tasks",
            "0,1/2,3",
            "--permuted-tasks",
            "3",
            "--samples-per-task",
            "40",
            "--seed",
            "5");
    EvalCommand.Hypernet command =
        (EvalCommand.Hypernet) parsed.subcommand().commandSpec().userObject();

    HypernetEvaluation.Options options = command.options();

    assertThat(options.permuted()).isTrue();
    assertThat(options.settings().classesPerTask()).isEqualTo(4);
    assertThat(options.stream().split())
        .containsExactly(List.of(0, 1, 2, 3), List.of(0, 1, 2, 3), List.of(0, 1, 2, 3));
    assertThat(options.stream().shuffleSeed()).isEqualTo(5);
    assertThat(options.trainSamplesPerTask()).isEqualTo(40);
  }

  @Test
  void shouldKeepTheSplitsTasksWithoutTheOption() {
    CommandLine line = Cli.commandLine(new EvalCommand());
    CommandLine.ParseResult parsed =
        line.parseArgs("hypernet", "--report", "r.json", "--tasks", "0,1/2,3,4");
    EvalCommand.Hypernet command =
        (EvalCommand.Hypernet) parsed.subcommand().commandSpec().userObject();

    HypernetEvaluation.Options options = command.options();

    assertThat(options.permuted()).isFalse();
    assertThat(options.settings().classesPerTask()).isEqualTo(3);
    assertThat(options.stream().split()).containsExactly(List.of(0, 1), List.of(2, 3, 4));
  }

  @Test
  void shouldReportThePermutedTasks() throws Exception {
    Path data =
        IdxFiles.write(
            dir.resolve("four"),
            3,
            3,
            IdxFiles.cycle(120, 0, 1, 2, 3),
            IdxFiles.cycle(40, 0, 1, 2, 3),
            false);
    TaskSplit classes = TaskSplit.parse("0,1/2,3");
    HypernetSettings settings =
        HypernetSettings.builder(9)
            .optClassesPerTask(4)
            .optTargetHidden(List.of(8))
            .optTrunkHidden(List.of(8, 16))
            .optChunkSize(64)
            .optStepsPerTask(20)
            .optFirstEraseSteps(5)
            .optSeed(1)
            .build();
    HypernetEvaluation.Options options =
        new HypernetEvaluation.Options(
            settings, PermutedTasks.stream(3, classes, 1, 16, 10), 40, 0, true);

    HypernetEvaluation.Report report =
        new HypernetEvaluation(EvalData.load(data, 9, classes), options, line -> {}).run();
    Path file = dir.resolve("report.json");
    report.write(file);

    JsonNode json = EvalReport.mapper().readTree(file.toFile());
    JsonNode protocol = json.get("protocol");
    assertThat(protocol.get("tasks").asText()).isEqualTo("0,1,2,3/0,1,2,3/0,1,2,3");
    assertThat(protocol.get("permuted").asBoolean()).isTrue();
    assertThat(protocol.get("train_samples_per_task").toString()).isEqualTo("[40,40,40]");
    assertThat(protocol.get("test_samples_per_task").toString()).isEqualTo("[40,40,40]");
    assertThat(json.get("tasks").toString()).isEqualTo("[\"0\",\"1\",\"2\"]");
    assertThat(json.get("accuracy_matrix").get(2).size()).isEqualTo(3);
    assertThat(json.get("erasure").get("chance_accuracy").asDouble())
        .isCloseTo(0.25, org.assertj.core.data.Offset.offset(1e-12));
  }
}
