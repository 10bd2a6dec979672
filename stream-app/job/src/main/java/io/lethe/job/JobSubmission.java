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
   * Submits the job.
   *
   * @return the exit code: 0 submitted, 2 a bad command line or catalog, 1 the cluster refused
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    List<String> jobOptions = new ArrayList<>();
    String cluster = null;
    String jar = null;
    String savepoint = null;
    JobSettings settings;
    String catalogYaml;
    try {
      for (int i = 0; i < args.length; i++) {
        String option = args[i];
        boolean ours = option.equals(CLUSTER) || option.equals(JOB_JAR) || option.equals(SAVEPOINT);
        if (!ours) {
          jobOptions.add(option);
          continue;
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(option + " needs a value");
        }
        String value = args[++i];
        switch (option) {
          case CLUSTER -> cluster = value;
          case JOB_JAR -> jar = value;
          default -> savepoint = value;
        }
      }
      if (cluster == null || !cluster.matches("[^:/\\s]+:\\d{1,5}")) {
        throw new IllegalArgumentException(
            CLUSTER + " is '" + cluster + "', expected the JobManager's REST HOST:PORT");
      }
      if (jobOptions.contains("--rest-port")) {
        throw new IllegalArgumentException(
            "--rest-port sets the local MiniCluster's dashboard; with --cluster the dashboard is"
                + " the cluster's");
      }
      settings = LearnerJobMain.parse(jobOptions.toArray(String[]::new));
      catalogYaml = Files.readString(settings.catalog(), StandardCharsets.UTF_8);
      CatalogLearners.validate(
          ModelCatalog.parse(catalogYaml, settings.catalog().getFileName().toString()));
    } catch (IllegalArgumentException e) {
      err.println("lethe job: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("lethe job: cannot read --catalog: " + e.getMessage());
      return 2;
    }

    List<String> programArgs = new ArrayList<>();
    for (int i = 0; i < jobOptions.size(); i += 2) {
      if (!jobOptions.get(i).equals("--catalog")) {
        programArgs.add(jobOptions.get(i));
        programArgs.add(jobOptions.get(i + 1));
      }
    }
    programArgs.add(ClusterJob.CATALOG_YAML);
    programArgs.add(catalogYaml);

    FlinkRestClient rest = new FlinkRestClient("http://" + cluster);
    try {
      Path jobJar = jar != null ? Path.of(jar) : defaultJobJar();
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
      String jobId = rest.runJar(jarId, ClusterJob.class.getName(), programArgs, savepoint);
      // The job graph carries its own copy of the jar (in the blob server): drop the upload.
      rest.deleteJar(jarId);
      out.println("lethe job: submitted job " + jobId + " to " + rest.baseUrl());
      out.println(
          "lethe job: dashboard at " + rest.baseUrl() + "/#/job/running/" + jobId + "/overview");
      return 0;
    } catch (IOException e) {
      err.println("lethe job: submission to " + cluster + " failed: " + e.getMessage());
      return 1;
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
