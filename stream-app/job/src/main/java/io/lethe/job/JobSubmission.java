package io.lethe.job;

import io.lethe.catalog.ModelCatalog;
import io.lethe.job.learner.CatalogLearners;
import io.lethe.job.rest.FlinkRestTls;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.SecurityOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * {@code lethe job --cluster HOST:PORT ...}: builds the learner job's graph here and submits it to
 * a running Flink cluster through Flink's client API ({@code RestClusterClient}, the job graph and
 * the job jar in one {@code POST /jobs}), prints the job id, and returns. Job graph submission
 * works with the cluster's {@code web.submit.enable} off, which keeps anonymous jar uploads (and
 * the code they would run) out. With {@code --flink-conf-dir DIR} the client reads a Flink client
 * configuration, e.g. the client certificate of an endpoint with mutual TLS ({@link FlinkRestTls}).
 *
 * <p>The client creates the topics, checks the catalog and builds the graph, so it needs Kafka's
 * address as the job does; the JobManager runs what the graph says, with the job jar's classes.
 * {@link ClusterJob} remains the job jar's entry point for {@code flink run} and the Flink
 * Kubernetes Operator.
 */
public final class JobSubmission {
  static final String CLUSTER = "--cluster";
  static final String JOB_JAR = "--job-jar";
  static final String SAVEPOINT = "--savepoint";
  static final String FLINK_CONF_DIR = "--flink-conf-dir";

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
   * @throws ParameterException for an option that has no meaning with a cluster, or a catalog or
   *     Flink configuration that cannot be read or is wrong
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
    ModelCatalog catalog = command.loadCatalog(settings.catalog());
    Configuration conf = clientConfiguration(command, line);
    Path jobJar;
    try {
      jobJar = command.jobJar != null ? command.jobJar : defaultJobJar();
    } catch (IOException e) {
      err.println("lethe job: cannot find the job jar: " + e.getMessage());
      return 2;
    }
    if (!Files.isRegularFile(jobJar)) {
      err.println(
          "lethe job: "
              + JOB_JAR
              + " "
              + jobJar
              + " does not exist; build it with `mvn -pl stream-app/job -am package -DskipTests`");
      return 2;
    }
    Configuration job = LearnerJobMain.jobConfiguration(settings, command.checkpointDir != null);
    job.addAll(conf);
    job.set(DeploymentOptions.TARGET, "remote");
    job.set(DeploymentOptions.ATTACHED, false);
    job.set(PipelineOptions.JARS, List.of(jobJar.toAbsolutePath().toUri().toString()));
    if (command.savepoint != null) {
      job.set(StateRecoveryOptions.SAVEPOINT_PATH, command.savepoint);
      job.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, false);
    }
    String endpoint = endpoint(job);
    try {
      JobClient submitted =
          LearnerJobMain.start(
              new StreamExecutionEnvironment(job), settings, catalog, new CatalogLearners());
      out.println("lethe job: submitted job " + submitted.getJobID() + " to " + endpoint);
      return 0;
    } catch (Exception e) {
      err.println("lethe job: submission to " + endpoint + " failed: " + rootMessage(e));
      return 1;
    }
  }

  /**
   * The client's Flink configuration: the {@code --flink-conf-dir}'s, if given, with {@code
   * --cluster}'s address.
   */
  private static Configuration clientConfiguration(LearnerJobMain command, CommandLine line) {
    Configuration conf = new Configuration();
    if (command.flinkConfDir != null) {
      if (!Files.isRegularFile(command.flinkConfDir.resolve(FLINK_CONFIG_FILE))) {
        throw new ParameterException(
            line, FLINK_CONF_DIR + " " + command.flinkConfDir + " has no " + FLINK_CONFIG_FILE);
      }
      conf = GlobalConfiguration.loadConfiguration(command.flinkConfDir.toString());
      try {
        // read the stores now, so that a wrong path or password names the option
        FlinkRestTls.fromConfiguration(conf).ifPresent(FlinkRestTls::sslContext);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(line, FLINK_CONF_DIR + ": " + e.getMessage());
      }
    }
    String[] hostPort = command.cluster.split(":");
    conf.set(RestOptions.ADDRESS, hostPort[0]);
    conf.set(RestOptions.PORT, Integer.parseInt(hostPort[1]));
    return conf;
  }

  private static final String FLINK_CONFIG_FILE = "config.yaml";

  private static String endpoint(Configuration conf) {
    boolean tls = conf.get(SecurityOptions.SSL_REST_ENABLED);
    return (tls ? "https://" : "http://")
        + conf.get(RestOptions.ADDRESS)
        + ":"
        + conf.get(RestOptions.PORT);
  }

  /** The innermost cause's message: Flink wraps the cluster's answer several times. */
  private static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null ? root.getClass().getSimpleName() : message.strip();
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
