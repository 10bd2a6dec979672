package io.lethe.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.lethe.schemas.cli.CommandLine;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code lethe cluster up|down|status}: a local multi-process Flink cluster with a Kafka broker and
 * a schema registry ({@link LocalCluster}). {@code up} starts it and returns, leaving the processes
 * running; {@code status} and {@code down} find them again through the state directory.
 */
public final class LocalClusterMain {
  private static final List<String> UP_OPTIONS =
      List.of(
          "--state-dir",
          "--task-managers",
          "--slots",
          "--rest-port",
          "--rpc-port",
          "--kafka-port",
          "--controller-port",
          "--registry-port",
          "--jm-memory",
          "--tm-memory",
          "--flink-classpath");

  private static final String USAGE =
      """
      usage: lethe cluster up [--task-managers 2] [--slots 2] [--rest-port 8281] [--rpc-port 6223]
                              [--kafka-port 9292] [--controller-port 9293] [--registry-port 8282]
                              [--jm-memory 1024m] [--tm-memory 2048m] [--state-dir ~/.lethe/cluster]
                              [--flink-classpath FILE]
             lethe cluster status [--state-dir DIR]
             lethe cluster down [--state-dir DIR] [--purge]

      up      starts a Flink JobManager, N TaskManagers, a Kafka broker (KRaft) and a schema
              registry as separate processes, prints their addresses and returns
      status  shows which processes run and what the JobManager reports
      down    stops them all and deletes Flink's temporary files (--purge: the whole state
              directory, Kafka's data and checkpoints included)""";

  private LocalClusterMain() {}

  public static void main(String[] args) {
    if (args.length == 0 || List.of("help", "--help", "-h").contains(args[0])) {
      System.out.println(USAGE);
      return;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    try {
      switch (args[0]) {
        case "up" -> up(CommandLine.parse(rest, UP_OPTIONS, List.of()));
        case "status" -> status(CommandLine.parse(rest, List.of("--state-dir"), List.of()));
        case "down" -> down(CommandLine.parse(rest, List.of("--state-dir"), List.of("--purge")));
        default ->
            throw new CommandLine.UsageException(
                "unknown subcommand '" + args[0] + "', expected up, status or down");
      }
    } catch (IllegalArgumentException e) {
      System.err.println("lethe cluster: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
    } catch (IOException e) {
      System.err.println("lethe cluster: " + e.getMessage());
      System.exit(1);
    }
    // Kafka's admin client and HTTP clients leave threads behind; the processes live on.
    System.exit(0);
  }

  private static void up(CommandLine line) throws IOException {
    ClusterSettings defaults = ClusterSettings.defaults("-", "-");
    String classpathFile = line.get("--flink-classpath");
    Path flinkClasspathFile =
        classpathFile != null ? Path.of(classpathFile) : defaultFlinkClasspathFile();
    if (!Files.isRegularFile(flinkClasspathFile)) {
      throw new IllegalArgumentException(
          "--flink-classpath "
              + flinkClasspathFile
              + " does not exist; build it with `mvn -pl deploy/cluster-runtime generate-resources`");
    }
    ClusterSettings settings =
        new ClusterSettings(
            Path.of(line.getOrDefault("--state-dir", defaults.stateDir().toString())),
            (int) line.number("--task-managers", defaults.taskManagers(), 0, 16),
            (int) line.number("--slots", defaults.slots(), 1, 64),
            (int) line.number("--rest-port", defaults.restPort(), 1, 65_535),
            (int) line.number("--rpc-port", defaults.rpcPort(), 1, 65_535),
            (int) line.number("--kafka-port", defaults.kafkaPort(), 1, 65_535),
            (int) line.number("--controller-port", defaults.controllerPort(), 1, 65_535),
            (int) line.number("--registry-port", defaults.registryPort(), 1, 65_535),
            line.getOrDefault("--jm-memory", defaults.jobManagerMemory()),
            line.getOrDefault("--tm-memory", defaults.taskManagerMemory()),
            Files.readString(flinkClasspathFile).strip(),
            System.getProperty("java.class.path"));
    LocalCluster cluster = LocalCluster.start(settings, System.out);
    System.out.println();
    System.out.println("lethe cluster: up (state, logs and pids in " + settings.stateDir() + ")");
    System.out.println("  Flink dashboard   " + cluster.dashboardUrl());
    System.out.println("  Kafka bootstrap   " + cluster.bootstrapServers());
    System.out.println("  schema registry   " + cluster.registryUrl());
    System.out.println(
        "  submit the job    ./lethe job --cluster "
            + cluster.jobManagerAddress()
            + " --catalog FILE --bootstrap "
            + cluster.bootstrapServers()
            + " --registry "
            + cluster.registryUrl());
    System.out.println(
        "  stop it           ./lethe cluster down"
            + (line.has("--state-dir") ? " --state-dir " + settings.stateDir() : ""));
  }

  private static void status(CommandLine line) throws IOException {
    LocalCluster cluster = LocalCluster.attach(stateDir(line), System.out);
    Map<String, Long> running = cluster.running();
    System.out.println("lethe cluster in " + cluster.settings().stateDir() + ":");
    for (String role :
        List.of(LocalCluster.KAFKA, LocalCluster.REGISTRY, LocalCluster.JOB_MANAGER)) {
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

  private static void down(CommandLine line) throws IOException {
    Path dir = stateDir(line);
    LocalCluster cluster = LocalCluster.attach(dir, System.out);
    Map<String, Long> running = cluster.running();
    cluster.close();
    System.out.println(
        "lethe cluster: stopped "
            + (running.isEmpty() ? "nothing (none ran)" : String.join(", ", running.keySet())));
    if (line.has("--purge")) {
      LocalCluster.deleteTree(dir);
      System.out.println("lethe cluster: deleted " + dir);
    }
  }

  private static Path stateDir(CommandLine line) {
    return Path.of(
        line.getOrDefault("--state-dir", ClusterSettings.defaults("-", "-").stateDir().toString()));
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
