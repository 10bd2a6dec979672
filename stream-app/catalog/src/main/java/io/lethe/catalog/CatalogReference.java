package io.lethe.catalog;

import io.lethe.cli.Cli;
import io.lethe.cli.StandardOptions;
import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.learners.settings.SettingDef;
import io.lethe.records.LearnerKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * Generates {@code docs/catalog.md}, the model catalog reference, from the declarations of every
 * catalog key; {@code CatalogReferenceTest} fails when the checked-in file differs.
 */
@Command(
    name = "lethe catalog-reference",
    description =
        "Writes the model catalog reference (every key, type, default, bounds and meaning) from"
            + " the settings' declarations.")
public final class CatalogReference implements Callable<Integer> {
  /** The file, relative to the repository root. */
  public static final Path FILE = Path.of("docs", "catalog.md");

  /** The command that regenerates the file, run from the repository root. */
  public static final String COMMAND = "./lethe catalog-reference";

  @Mixin StandardOptions standard;

  @Parameters(
      arity = "0..1",
      paramLabel = "FILE",
      description = "Where to write it (default: docs/catalog.md under the working directory).")
  Path file = FILE;

  private CatalogReference() {}

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /**
   * Writes the reference to the given file, or to {@link #FILE} under the working directory.
   *
   * @return the exit code
   */
  public static int run(String... args) {
    return Cli.run(new CatalogReference(), args);
  }

  @Override
  public Integer call() throws IOException {
    Files.writeString(file, markdown(), StandardCharsets.UTF_8);
    System.out.println("written: " + file);
    return Cli.OK;
  }

  /** The reference as Markdown. */
  public static String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("# Model catalog reference\n\n")
        .append("<!-- Generated from the settings' declarations by `")
        .append(COMMAND)
        .append("`; do not edit. -->\n\n")
        .append(
            "The catalog is a YAML file with two lists, `datasets` and `models`; the job and the"
                + " ingress read it at start-up and refuse it with an error that names the key and"
                + " its path, e.g. `catalog.yaml: models[0].settings.buffer-size is '0', expected"
                + " an integer >= 1`. Each key below is the setting's only spelling: snapshots and"
                + " evaluation reports use it too, and a command-line option for it is `--` and the"
                + " key.\n\n")
        .append("```yaml\n")
        .append(example().toYaml())
        .append("```\n");
    section(
        md, "datasets[]", "One entry per dataset that models learn from.", DatasetSpec.SETTINGS);
    section(
        md,
        "models[]",
        "One entry per model; `"
            + ModelSpec.SNAPSHOT
            + "` and `"
            + ModelSpec.LEARNER_SETTINGS
            + "` are mappings, described below.",
        ModelSpec.SETTINGS);
    section(
        md,
        "models[]." + ModelSpec.SNAPSHOT,
        "When the model publishes a snapshot: whichever comes first.",
        SnapshotPolicy.SETTINGS);
    for (LearnerKind learner : LearnerKind.values()) {
      String name = ModelSpec.LEARNER.format(learner);
      section(
          md,
          "models[]." + ModelSpec.LEARNER_SETTINGS + " (learner: " + name + ")",
          "Settings of the " + name + " learner; values are single YAML values (lists as text).",
          ModelSpec.learnerSettings(learner));
    }
    return md.toString();
  }

  /** A small catalog shown at the top, built as objects like any program builds one. */
  static ModelCatalog example() {
    return ModelCatalog.of(
        List.of(new DatasetSpec("fashion-mnist", 784, 10)),
        List.of(
            ModelSpec.of("fmnist-analytic", LearnerKind.ANALYTIC, "fashion-mnist")
                .with(AnalyticSettings.BUFFER_SIZE, 2048)
                .with(AnalyticSettings.GAMMA, 0.1),
            ModelSpec.of("fmnist-hypernet", LearnerKind.HYPERNETWORK, "fashion-mnist")));
  }

  private static void section(
      StringBuilder md, String title, String intro, List<? extends SettingDef<?>> settings) {
    md.append("\n## `").append(title).append("`\n\n").append(intro).append("\n\n");
    md.append("| key | type | default | allowed | meaning |\n");
    md.append("| --- | --- | --- | --- | --- |\n");
    for (SettingDef<?> s : settings) {
      md.append("| `")
          .append(s.key())
          .append("` | ")
          .append(cell(s.type()))
          .append(" | ")
          .append(defaultCell(s))
          .append(" | ")
          .append(cell(s.allowed()))
          .append(" | ")
          .append(cell(s.doc()))
          .append(" |\n");
    }
  }

  /** A literal default in code style; "required" or a default from context in plain text. */
  private static <T> String defaultCell(SettingDef<T> s) {
    String shown = s.defaultText();
    boolean literal = s.defaultValue().map(v -> s.format(v).equals(shown)).orElse(false);
    return literal ? "`" + cell(shown) + "`" : cell(shown);
  }

  private static String cell(String text) {
    return text.replace("|", "\\|");
  }
}
