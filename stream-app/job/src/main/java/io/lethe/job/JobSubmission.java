package io.lethe.job;

import io.lethe.catalog.ModelCatalog;
import io.lethe.job.learner.CatalogLearners;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * {@code lethe job --cluster HOST:PORT ...}: submits the job jar to a running Flink cluster over
 * its REST API ({@code POST /jars/upload}, then {@code POST /jars/<id>/run} with {@link ClusterJob}
 * as entry class), prints the job id and the dashboard URL, and returns. The catalog is read and
 * checked here and travels in the program arguments ({@code --catalog-yaml}), so the JobManager
 * needs no access to the client's files.
 *
 * <p>REST rather than a client-side job graph: the client needs no Flink classes of the cluster's
 * version, and the JobManager runs the same entry point as under the Flink Kubernetes Operator.
 */
public final class JobSubmission {
  static final String CLUSTER = "--cluster";
  static final String JOB_JAR = "--job-jar";
  static final String SAVEPOINT = "--savepoint";

  private JobSubmission() {}

  /**
   * Runs {@code lethe job} with {@code args}, which name a {@code --cluster}, printing to {@code
   * out} and {@code err}.
   *
   * @return the exit code: 0 submitted, 2 a bad command line or catalog, 1 the cluster refused
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return LearnerJobMain.run(args, out, err);
  }

  /**
   * Submits the job that {@code command}'s options describe.
   *
   * @return the exit code: 0 submitted, 2 no job jar, 1 the cluster refused
   * @throws ParameterException for an option that has no meaning with a cluster, or a catalog that
   *     cannot be read or is wrong
   */
  static int submit(LearnerJobMain command, PrintStream out, PrintStream err) {
    CommandLine line = command.spec.commandLine();
    if (command.restPort != null) {
      throw new ParameterException(
          line,
          "--rest-port sets the local MiniCluster's dashboard; with --cluster the dashboard is"
              + " the cluster's");
    }
    JobSettings settings = command.settings();
    String catalogYaml;
    try {
      catalogYaml = Files.readString(settings.catalog(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ParameterException(line, "cannot read --catalog: " + e);
    }
    try {
      CatalogLearners.validate(
          ModelCatalog.parse(catalogYaml, settings.catalog().getFileName().toString()));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(line, e.getMessage().strip().replace('\n', ' '));
    }
    List<String> programArgs = programArguments(settings, command.checkpointDir != null);
    programArgs.add(ClusterJob.CATALOG_YAML);
    programArgs.add(catalogYaml);

    FlinkRestClient rest = new FlinkRestClient("http://" + command.cluster);
    try {
      Path jobJar = command.jobJar != null ? command.jobJar : defaultJobJar();
      if (!Files.isRegularFile(jobJar)) {
        err.println(
            "lethe job: "
                + JOB_JAR
                + " "
                + jobJar
                + " does not exist; build it with `mvn -pl stream-app/job -am package -DskipTests`");
        return 2;
      }
      String jarId = rest.uploadJar(jobJar);
      String jobId = rest.runJar(jarId, ClusterJob.class.getName(), programArgs, command.savepoint);
      // The job graph carries its own copy of the jar (in the blob server): drop the upload.
      rest.deleteJar(jarId);
      out.println("lethe job: submitted job " + jobId + " to " + rest.baseUrl());
      out.println(
          "lethe job: dashboard at " + rest.baseUrl() + "/#/job/running/" + jobId + "/overview");
      return 0;
    } catch (IOException e) {
      err.println("lethe job: submission to " + command.cluster + " failed: " + e.getMessage());
      return 1;
    }
  }

  /**
   * {@link ClusterJob}'s arguments for {@code settings}, every setting spelled out (the values of a
   * {@code --config} file included), without the catalog.
   */
  static List<String> programArguments(JobSettings settings, boolean withCheckpointDirectory) {
    List<String> args = new ArrayList<>();
    args.addAll(List.of("--bootstrap", settings.bootstrapServers()));
    args.addAll(List.of("--registry", settings.registryUrl()));
    args.addAll(List.of("--parallelism", String.valueOf(settings.parallelism())));
    args.addAll(List.of("--checkpoint-interval", millis(settings.checkpointInterval())));
    args.addAll(List.of("--micro-batch", String.valueOf(settings.microBatchSize())));
    args.addAll(List.of("--tombstone-retention", millis(settings.tombstoneRetention())));
    args.addAll(List.of("--request-id-retention", millis(settings.requestIdRetention())));
    args.addAll(List.of("--heartbeat-interval", millis(settings.heartbeatInterval())));
    if (settings.signingKey() != null) {
      // the path, never the key: program arguments show on the Flink dashboard
      args.addAll(List.of("--signing-key", settings.signingKey().toString()));
    }
    settings
        .clientConfig()
        .source()
        // the path, never the properties: they hold passwords
        .ifPresent(file -> args.addAll(List.of("--kafka-config", file.toString())));
    if (withCheckpointDirectory) {
      args.addAll(List.of("--checkpoint-dir", settings.checkpointDirectory().toString()));
    }
    return args;
  }

  private static String millis(java.time.Duration duration) {
    return duration.toMillis() + "ms";
  }

  /** A JobManager's REST address, {@code HOST:PORT} (no scheme). */
  static final class JobManagerAddress implements CommandLine.ITypeConverter<String> {
    @Override
    public String convert(String text) {
      if (!text.matches("[^:/\\s]+:\\d{1,5}")) {
        throw new CommandLine.TypeConversionException(
            "'" + text + "' is not the JobManager's REST HOST:PORT");
      }
      return text;
    }
  }

  /**
   * The {@code -job.jar} next to the classes this runs from ({@code stream-app/job/target}), as
   * {@code mvn package} builds it.
   */
  static Path defaultJobJar() throws IOException {
    Path target;
    try {
      target =
          Path.of(JobSubmission.class.getProtectionDomain().getCodeSource().getLocation().toURI())
              .getParent();
    } catch (URISyntaxException | NullPointerException e) {
      target = Path.of("stream-app", "job", "target");
    }
    try (DirectoryStream<Path> jars = Files.newDirectoryStream(target, "lethe-job-*-job.jar")) {
      for (Path jar : jars) {
        return jar;
      }
    }
    return target.resolve("lethe-job-<version>-job.jar");
  }
}
