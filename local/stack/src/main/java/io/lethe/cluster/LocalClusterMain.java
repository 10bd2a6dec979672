package io.lethe.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.lethe.cli.Cli;
import io.lethe.cli.ConfigFileOption;
import io.lethe.cli.StandardOptions;
import io.lethe.cli.Values;
import io.lethe.local.kafka.KafkaSecurity;
import io.lethe.schemas.topics.LetheAcls.Principal;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code lethe cluster up|down|status}: a local multi-process Flink cluster with a Kafka broker and
 * a schema registry ({@link LocalCluster}). {@code up} starts it and returns, leaving the processes
 * running; {@code status} and {@code down} find them again through the state directory.
 */
@Command(
    name = "lethe cluster",
    description =
        "A local multi-process Flink cluster (a JobManager, TaskManagers) with a Kafka broker and a"
            + " schema registry.",
    subcommands = {
      LocalClusterMain.Up.class,
      LocalClusterMain.Status.class,
      LocalClusterMain.Down.class,
      HelpCommand.class
    })
public final class LocalClusterMain implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin StandardOptions standard;

  /** Entry point. */
  public static void main(String[] args) {
    // Kafka's admin client and HTTP clients leave threads behind; the processes live on.
    System.exit(run(args));
  }

  /**
   * Runs {@code lethe cluster} with {@code args}.
   *
   * @return the exit code
   */
  public static int run(String... args) {
    return Cli.run(new LocalClusterMain(), args);
  }

  /** Without a subcommand: the usage. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return Cli.OK;
  }

  /** The state directory option of every subcommand. */
  static final class StateDir {
    @Option(
        names = "--state-dir",
        paramLabel = "DIR",
        description = "State, logs and pids (default: ~/.lethe/cluster).")
    Path dir;

    Path orDefault() {
      return dir != null ? dir : ClusterSettings.defaults("-", "-").stateDir();
    }
  }

  @Command(
      name = "up",
      description =
          "Starts a Flink JobManager, N TaskManagers, a Kafka broker (KRaft) and a schema registry"
              + " as separate processes, prints their addresses and returns.")
  static final class Up implements Callable<Integer> {
    @Mixin StandardOptions standard;
    @Mixin ConfigFileOption config;
    @Mixin StateDir stateDir;

    @Option(
        names = "--task-managers",
        paramLabel = "N",
        converter = TaskManagers.class,
        description = "TaskManager processes, 0-16 (default 2).")
    Integer taskManagers;

    @Option(
        names = "--slots",
        paramLabel = "N",
        converter = Slots.class,
        description = "Task slots per TaskManager, 1-64 (default 2).")
    Integer slots;

    @Option(
        names = "--dashboard-port",
        paramLabel = "N",
        converter = Values.FixedPort.class,
        description = "The read-only Flink dashboard (default 8281).")
    Integer dashboardPort;

    @Option(
        names = "--rest-port",
        paramLabel = "N",
        converter = Values.FixedPort.class,
        description =
            "The JobManager's REST port, mutual TLS with the cluster's client certificate (default"
                + " 8283).")
    Integer restPort;

    @Option(
        names = "--rpc-port",
        paramLabel = "N",
        converter = Values.FixedPort.class,
        description = "The JobManager's RPC port (default 6223).")
    Integer rpcPort;

    @Option(
        names = "--kafka-port",
        paramLabel = "N",
        converter = Values.FixedPort.class,
        description = "The Kafka broker's port (default 9292).")
    Integer kafkaPort;

    @Option(
        names = "--controller-port",
        paramLabel = "N",
        converter = Values.FixedPort.class,
        description = "The KRaft controller's port (default 9293).")
    Integer controllerPort;

    @Option(
        names = "--registry-port",
        paramLabel = "N",
        converter = Values.FixedPort.class,
        description = "The schema registry's port (default 8282).")
    Integer registryPort;

    @Option(
        names = "--jm-memory",
        paramLabel = "SIZE",
        description = "The JobManager's process memory, e.g. 1024m (default 1024m).")
    String jobManagerMemory;

    @Option(
        names = "--tm-memory",
        paramLabel = "SIZE",
        description = "Each TaskManager's process memory, e.g. 2048m (default 2048m).")
    String taskManagerMemory;

    @Option(
        names = "--flink-classpath",
        paramLabel = "FILE",
        description =
            "Flink's class path, as deploy/cluster-runtime builds it (default:"
                + " deploy/cluster-runtime/target/flink-classpath.txt).")
    Path flinkClasspath;

    @Option(
        names = "--insecure",
        description =
            "Run Kafka open (PLAINTEXT, no authentication, no ACLs) instead of with SASL/SCRAM"
                + " and one least-privilege principal per component.")
    boolean insecure;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      ClusterSettings defaults = ClusterSettings.defaults("-", "-");
      Path flinkClasspathFile =
          flinkClasspath != null ? flinkClasspath : defaultFlinkClasspathFile();
      if (!Files.isRegularFile(flinkClasspathFile)) {
        throw new ParameterException(
            spec.commandLine(),
            "--flink-classpath "
                + flinkClasspathFile
                + " does not exist; build it with `mvn -pl deploy/cluster-runtime"
                + " generate-resources`");
      }
      ClusterSettings settings;
      try {
        settings =
            new ClusterSettings(
                stateDir.orDefault(),
                taskManagers != null ? taskManagers : defaults.taskManagers(),
                slots != null ? slots : defaults.slots(),
                dashboardPort != null ? dashboardPort : defaults.dashboardPort(),
                restPort != null ? restPort : defaults.restPort(),
                rpcPort != null ? rpcPort : defaults.rpcPort(),
                kafkaPort != null ? kafkaPort : defaults.kafkaPort(),
                controllerPort != null ? controllerPort : defaults.controllerPort(),
                registryPort != null ? registryPort : defaults.registryPort(),
                jobManagerMemory != null ? jobManagerMemory : defaults.jobManagerMemory(),
                taskManagerMemory != null ? taskManagerMemory : defaults.taskManagerMemory(),
                Files.readString(flinkClasspathFile).strip(),
                System.getProperty("java.class.path"));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      LocalCluster cluster;
      try {
        cluster =
            LocalCluster.start(
                settings, System.out, insecure ? KafkaSecurity.INSECURE : KafkaSecurity.SECURED);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      System.out.println();
      System.out.println("lethe cluster: up (state, logs and pids in " + settings.stateDir() + ")");
      System.out.println("  Flink dashboard   " + cluster.dashboardUrl() + " (read-only)");
      System.out.println(
          "  Flink REST API    "
              + cluster.restUrl()
              + " (client certificate: FLINK_CONF_DIR="
              + cluster.flinkClientConfigDir()
              + ")");
      System.out.println("  Kafka bootstrap   " + cluster.bootstrapServers());
      System.out.println("  schema registry   " + cluster.registryUrl());
      cluster
          .httpTokenFile()
          .ifPresent(
              file ->
                  System.out.println(
                      "  HTTP token        "
                          + file
                          + " (--http-token-file of lethe serve and lethe ingress)"));
      cluster
          .clientFile(Principal.PRODUCER)
          .ifPresentOrElse(
              file ->
                  System.out.println(
                      "  Kafka clients     SASL/SCRAM with ACLs; client properties per principal"
                          + " in "
                          + file.getParent()
                          + "/"),
              () ->
                  System.out.println(
                      "  Kafka clients     WARNING: --insecure: no authentication, no ACLs"));
      System.out.println(
          "  submit the job    ./lethe job --catalog FILE "
              + String.join(" ", cluster.jobSubmissionOptions()));
      System.out.println(
          "  stop it           ./lethe cluster down"
              + (stateDir.dir != null ? " --state-dir " + settings.stateDir() : ""));
      return Cli.OK;
    }
  }

  /** 0-16 TaskManagers. */
  static final class TaskManagers extends Values.IntRange {
    TaskManagers() {
      super(0, 16);
    }
  }

  /** 1-64 slots. */
  static final class Slots extends Values.IntRange {
    Slots() {
      super(1, 64);
    }
  }

  @Command(
      name = "status",
      description = "Shows which processes run and what the JobManager reports.")
  static final class Status implements Callable<Integer> {
    @Mixin StandardOptions standard;
    @Mixin StateDir stateDir;

    @Override
    public Integer call() throws IOException {
      status(stateDir.orDefault());
      return Cli.OK;
    }
  }

  @Command(
      name = "down",
      description =
          "Stops every process and deletes Flink's temporary files (--purge: the whole state"
              + " directory, Kafka's data and checkpoints included).")
  static final class Down implements Callable<Integer> {
    @Mixin StandardOptions standard;
    @Mixin StateDir stateDir;

    @Option(names = "--purge", description = "Also delete the state directory.")
    boolean purge;

    @Override
    public Integer call() throws IOException {
      down(stateDir.orDefault(), purge);
      return Cli.OK;
    }
  }

  private static void status(Path stateDir) throws IOException {
    LocalCluster cluster = LocalCluster.attach(stateDir, System.out);
    Map<String, Long> running = cluster.running();
    System.out.println("lethe cluster in " + cluster.settings().stateDir() + ":");
    for (String role :
        List.of(
            LocalCluster.KAFKA,
            LocalCluster.REGISTRY,
            LocalCluster.JOB_MANAGER,
            LocalCluster.DASHBOARD)) {
      System.out.printf(
          "  %-15s %s%n",
          role, running.containsKey(role) ? "running, pid " + running.get(role) : "not running");
    }
    running.forEach(
        (role, pid) -> {
          if (role.startsWith(LocalCluster.TASK_MANAGER)) {
            System.out.printf("  %-15s running, pid %d%n", role, pid);
          }
        });
    if (running.containsKey(LocalCluster.JOB_MANAGER)) {
      try {
        JsonNode overview = cluster.rest().overview();
        System.out.printf(
            "  dashboard %s: %d TaskManager(s), %d of %d slots free, %d job(s) running%n",
            cluster.dashboardUrl(),
            overview.path("taskmanagers").asInt(),
            overview.path("slots-available").asInt(),
            overview.path("slots-total").asInt(),
            overview.path("jobs-running").asInt());
        for (String job : cluster.rest().runningJobs()) {
          System.out.println(
              "    job "
                  + job
                  + ": "
                  + cluster.dashboardUrl()
                  + "/#/job/running/"
                  + job
                  + "/overview");
        }
      } catch (IOException e) {
        System.out.println("  the JobManager does not answer: " + e.getMessage());
      }
    }
    if (running.containsKey(LocalCluster.KAFKA)) {
      System.out.println(
          "  Kafka bootstrap "
              + cluster.bootstrapServers()
              + ", schema registry "
              + cluster.registryUrl());
    }
  }

  private static void down(Path dir, boolean purge) throws IOException {
    LocalCluster cluster = LocalCluster.attach(dir, System.out);
    Map<String, Long> running = cluster.running();
    cluster.close();
    System.out.println(
        "lethe cluster: stopped "
            + (running.isEmpty() ? "nothing (none ran)" : String.join(", ", running.keySet())));
    if (purge) {
      LocalCluster.deleteTree(dir);
      System.out.println("lethe cluster: deleted " + dir);
    }
  }

  /**
   * {@code cluster-runtime/target/flink-classpath.txt} of the checkout this class was built in (it
   * runs from {@code local/stack/target/classes}).
   */
  private static Path defaultFlinkClasspathFile() {
    try {
      Path classes =
          Path.of(
              LocalClusterMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      // local/stack/target/classes -> the repository root
      return classes
          .getParent()
          .getParent()
          .getParent()
          .getParent()
          .resolve("deploy")
          .resolve("cluster-runtime")
          .resolve("target")
          .resolve("flink-classpath.txt");
    } catch (URISyntaxException | NullPointerException e) {
      return Path.of("deploy", "cluster-runtime", "target", "flink-classpath.txt");
    }
  }
}
