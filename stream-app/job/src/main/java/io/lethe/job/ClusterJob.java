package io.lethe.job;

import io.lethe.catalog.ModelCatalog;
import io.lethe.job.learner.CatalogLearners;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The job jar's entry point: builds the learner job on the environment Flink gives it (the session
 * cluster's, when {@code POST /jars/<id>/run} or {@code flink run} calls it; an application
 * cluster's under the Flink Kubernetes Operator) and submits it. Takes {@code lethe job}'s options,
 * and the catalog either as {@code --catalog FILE} (a file where this runs, e.g. mounted into the
 * JobManager) or as {@code --catalog-yaml TEXT}, the catalog itself, which is how {@code lethe job
 * --cluster} ships a client-side file to a JobManager that cannot see it.
 */
public final class ClusterJob {
  /** The option that carries the catalog's text. */
  static final String CATALOG_YAML = "--catalog-yaml";

  private ClusterJob() {}

  public static void main(String[] args) throws Exception {
    List<String> options = new ArrayList<>(List.of(args));
    int inline = options.indexOf(CATALOG_YAML);
    if (inline >= 0) {
      if (inline + 1 >= options.size()) {
        throw new IllegalArgumentException(CATALOG_YAML + " needs a value");
      }
      String yaml = options.remove(inline + 1);
      options.remove(inline);
      // The job reads its catalog from a file, here as under `lethe job`: keep one code path.
      Path file = Files.createTempFile("lethe-catalog-", ".yaml");
      file.toFile().deleteOnExit();
      Files.writeString(file, yaml, StandardCharsets.UTF_8);
      options.addAll(List.of("--catalog", file.toString()));
    }
    // `lethe job`'s own options and checks; a bad one fails the submission with its message
    LearnerJobMain command = LearnerJobMain.parsed(options.toArray(String[]::new));
    JobSettings settings = command.settings();
    ModelCatalog catalog = ModelCatalog.load(settings.catalog());
    CatalogLearners.validate(catalog);
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(
            LearnerJobMain.jobConfiguration(settings, command.checkpointDir != null));
    LearnerJobMain.start(env, settings, catalog, new CatalogLearners());
  }
}
