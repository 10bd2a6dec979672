package io.lethe.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.lethe.catalog.CatalogException;
import io.lethe.catalog.ModelCatalog;
import io.lethe.cli.Cli;
import io.lethe.cli.ConfigFileOption;
import io.lethe.cli.StandardOptions;
import io.lethe.cli.Values;
import io.lethe.job.FlinkRestClient;
import io.lethe.local.kafka.KafkaSecurity;
import io.lethe.schemas.topics.LetheAcls.Principal;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code lethe cluster up|down|status}: a whole local deployment, each part a process of its own: a
 * multi-process Flink cluster with a Kafka broker and a schema registry ({@link LocalCluster}), the
 * learner job on it, the ingress and the model service ({@link ClusterApps}). {@code up} starts it
 * and returns, leaving the processes running; {@code status} and {@code down} find them again
 * through the state directory.
 */
@Command(
    name = "lethe cluster",
    description =
        "A whole local deployment: a multi-process Flink cluster (a JobManager, TaskManagers), a"
            + " Kafka broker, a schema registry, the learner job, the ingress and the model service"
            + " with its console.",
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
          "Starts a Flink JobManager, N TaskManagers, a Kafka broker (KRaft), a schema registry,"
              + " the learner job, the ingress and the model service, each part that does not run"
              + " yet, prints their addresses and returns.")
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
        names = "--serve-port",
        paramLabel = "N",
        converter = Values.FixedPort.class,
        description = "The model service and its console (default 8280).")
    Integer servePort;

    @Option(
        names = "--ingress-port",
        paramLabel = "N",
        converter = Values.FixedPort.class,
        description = "The ingress's erasure status endpoint (default 8290).")
    Integer ingressPort;

    @Option(
        names = "--metrics-port",
        paramLabel = "N",
        converter = Values.FixedPort.class,
        description =
            "Flink's Prometheus reporter on the JobManager; TaskManager i uses N+i (default"
                + " 9270).")
    Integer metricsPort;

    @Option(
        names = "--catalog",
        paramLabel = "FILE",
        description =
            "The model catalog of the learner job and the ingress (default: the demo's, written to"
                + " conf/catalog.yaml in the state directory).")
    Path catalog;

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
                servePort != null ? servePort : defaults.servePort(),
                ingressPort != null ? ingressPort : defaults.ingressPort(),
                metricsPort != null ? metricsPort : defaults.metricsPort(),
                jobManagerMemory != null ? jobManagerMemory : defaults.jobManagerMemory(),
                taskManagerMemory != null ? taskManagerMemory : defaults.taskManagerMemory(),
                Files.readString(flinkClasspathFile).strip(),
                System.getProperty("java.class.path"));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      if (catalog != null) {
        try {
          ModelCatalog.load(catalog);
        } catch (CatalogException e) {
          throw new ParameterException(
              spec.commandLine(),
              "--catalog " + catalog + ": " + e.getMessage().strip().replace('\n', ' '));
        }
      }
      try {
        up(
            settings,
            insecure ? KafkaSecurity.INSECURE : KafkaSecurity.SECURED,
            catalog,
            System.out);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      } catch (IOException e) {
        spec.commandLine().getErr().println("lethe cluster up: " + e.getMessage());
        return Cli.FAILED;
      }
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
      description =
          "Shows each part's process and health: broker, registry, JobManager (REST),"
              + " TaskManagers, dashboard, the learner job's state, the ingress's and the model"
              + " service's /healthz and /readyz, and the Prometheus scrape URLs. Exit 0 when all"
              + " are up and healthy, 1 otherwise.")
  static final class Status implements Callable<Integer> {
    @Mixin StandardOptions standard;
    @Mixin StateDir stateDir;

    @Override
    public Integer call() throws IOException {
      return status(stateDir.orDefault(), System.out) ? Cli.OK : Cli.FAILED;
    }
  }

  @Command(
      name = "down",
      description =
          "Stops every part (the model service, the ingress, Flink with the job, the registry, the"
              + " broker) and any process they started, checks that none is left (exit 1 if one"
              + " is), and deletes Flink's temporary files (--purge: the whole state directory,"
              + " Kafka's data and checkpoints included).")
  static final class Down implements Callable<Integer> {
    @Mixin StandardOptions standard;
    @Mixin StateDir stateDir;

    @Option(names = "--purge", description = "Also delete the state directory.")
    boolean purge;

    @Override
    public Integer call() throws IOException {
      return down(stateDir.orDefault(), purge, System.out) ? Cli.OK : Cli.FAILED;
    }
  }

  /**
   * Starts what does not run yet of the deployment {@code settings} describe (or attaches to the
   * cluster already running in its state directory) and prints its addresses.
   *
   * @return the cluster, with the processes this call started
   * @throws IllegalArgumentException naming the option of a port in use, or if only part of a
   *     cluster runs in the state directory
   */
  public static LocalCluster up(
      ClusterSettings settings, KafkaSecurity security, Path catalog, PrintStream out)
      throws IOException {
    Instant begin = Instant.now();
    LocalCluster cluster;
    boolean started = false;
    if (LocalCluster.coreRunning(settings.stateDir())) {
      cluster = LocalCluster.attach(settings.stateDir(), out);
      out.println(
          "lethe cluster: already running in "
              + settings.stateDir()
              + ": "
              + String.join(", ", cluster.running().keySet())
              + " (other options of this `up` apply after `lethe cluster down`)");
    } else {
      cluster = LocalCluster.start(settings, out, security);
      started = true;
    }
    ClusterApps apps = new ClusterApps(cluster);
    try {
      apps.up(catalog, out);
    } catch (IOException | RuntimeException e) {
      if (started) {
        cluster.close();
      }
      throw e;
    }
    out.printf("%nlethe cluster: up after %.1f s%n", seconds(begin));
    printAddresses(cluster, apps, out);
    return cluster;
  }

  private static void printAddresses(LocalCluster cluster, ClusterApps apps, PrintStream out) {
    out.println("  state, logs, pids " + cluster.stateDir());
    out.println("  Flink dashboard   " + cluster.dashboardUrl() + " (read-only)");
    out.println(
        "  Flink REST API    "
            + cluster.restUrl()
            + " (client certificate: FLINK_CONF_DIR="
            + cluster.flinkClientConfigDir()
            + ")");
    apps.submittedJob().ifPresent(job -> out.println("  learner job       " + job));
    out.println("  Kafka bootstrap   " + cluster.bootstrapServers());
    out.println("  schema registry   " + cluster.registryUrl());
    out.println(
        "  model service     "
            + apps.serviceUrl()
            + " (GET /v1/models, POST /v1/models/<model>:predict)");
    out.println("  console           " + apps.consoleUrl());
    out.println("  erasure status    " + apps.ingressUrl() + "/v1/erasures/<request-id>");
    cluster
        .httpTokenFile()
        .ifPresentOrElse(
            file -> {
              out.println(
                  "  HTTP token        "
                      + file
                      + " (the service, the console and the erasure status endpoint; health,"
                      + " readiness and /metrics are open)");
              out.println(
                  "  try it            curl -H \"Authorization: Bearer $(cat "
                      + file
                      + ")\" "
                      + apps.serviceUrl()
                      + "/v1/models");
            },
            () -> out.println("  HTTP              WARNING: --insecure: no bearer token"));
    cluster
        .clientFile(Principal.PRODUCER)
        .ifPresentOrElse(
            file ->
                out.println(
                    "  Kafka clients     SASL/SCRAM with ACLs; client properties per principal"
                        + " in "
                        + file.getParent()
                        + "/"),
            () ->
                out.println("  Kafka clients     WARNING: --insecure: no authentication, no ACLs"));
    out.println("  signing keys      " + apps.keysDir() + " (snapshots and receipts)");
    out.println("  Prometheus        " + String.join(" ", scrapeUrls(cluster, apps)));
  }

  /** Every /metrics URL of the deployment: Flink's reporters, then the service's and ingress's. */
  static List<String> scrapeUrls(LocalCluster cluster, ClusterApps apps) {
    List<String> urls = new ArrayList<>(cluster.metricsUrls().values());
    if (cluster.running().containsKey(LocalCluster.MODEL_SERVICE)) {
      urls.add(apps.serviceUrl() + "/metrics");
    }
    if (cluster.running().containsKey(LocalCluster.INGRESS)) {
      urls.add(apps.ingressUrl() + "/metrics");
    }
    return urls;
  }

  private static double seconds(Instant since) {
    return Duration.between(since, Instant.now()).toMillis() / 1000.0;
  }

  /**
   * Prints each part's process and health check.
   *
   * @return whether every part runs and is healthy
   */
  public static boolean status(Path stateDir, PrintStream out) throws IOException {
    LocalCluster cluster = LocalCluster.attach(stateDir, out);
    ClusterApps apps = new ClusterApps(cluster);
    Map<String, Long> running = cluster.running();
    Map<String, String> metrics = new HashMap<>(cluster.metricsUrls());
    metrics.put(LocalCluster.MODEL_SERVICE, apps.serviceUrl() + "/metrics");
    metrics.put(LocalCluster.INGRESS, apps.ingressUrl() + "/metrics");
    boolean healthy = true;
    out.println("lethe cluster in " + cluster.settings().stateDir() + ":");
    List<String> roles =
        new ArrayList<>(
            List.of(
                LocalCluster.KAFKA,
                LocalCluster.REGISTRY,
                LocalCluster.JOB_MANAGER,
                LocalCluster.DASHBOARD));
    running.keySet().stream()
        .filter(r -> r.startsWith(LocalCluster.TASK_MANAGER))
        .forEach(roles::add);
    roles.addAll(List.of(LocalCluster.INGRESS, LocalCluster.MODEL_SERVICE));
    for (String role : roles) {
      Long pid = running.get(role);
      if (pid == null) {
        out.printf("  %-15s not running%n", role);
        healthy = false;
        continue;
      }
      Health health = health(cluster, apps, role);
      healthy &= health.ok();
      out.printf(
          "  %-15s running, pid %d; %s%s%n",
          role,
          pid,
          health.text(),
          metrics.containsKey(role) ? "; metrics " + metrics.get(role) : "");
    }
    if (running.containsKey(LocalCluster.JOB_MANAGER)) {
      try {
        FlinkRestClient rest = cluster.rest();
        List<String> jobs = new ArrayList<>(rest.runningJobs());
        apps.submittedJob().filter(job -> !jobs.contains(job)).ifPresent(jobs::add);
        if (jobs.isEmpty()) {
          out.printf("  %-15s none running%n", "learner job");
          healthy = false;
        }
        for (String job : jobs) {
          String state = rest.jobState(job).orElse("unknown");
          healthy &= state.equals("RUNNING") || !apps.submittedJob().orElse("").equals(job);
          out.printf(
              "  %-15s %s %s: %s/#/job/running/%s/overview%n",
              "learner job", job, state, cluster.dashboardUrl(), job);
        }
      } catch (IOException e) {
        out.printf(
            "  %-15s unknown: the JobManager does not answer: %s%n", "learner job", e.getMessage());
        healthy = false;
      }
    }
    if (running.containsKey(LocalCluster.MODEL_SERVICE)) {
      out.printf("  %-15s %s%n", "console", apps.consoleUrl());
    }
    out.println(healthy ? "every part runs and is healthy" : "some part is down or unhealthy");
    return healthy;
  }

  /** A part's health check and what it said. */
  private record Health(boolean ok, String text) {}

  private static Health health(LocalCluster cluster, ClusterApps apps, String role) {
    switch (role) {
      case LocalCluster.KAFKA:
        return cluster.brokerReachable()
            ? new Health(true, "broker reachable at " + cluster.bootstrapServers())
            : new Health(false, "broker NOT reachable at " + cluster.bootstrapServers());
      case LocalCluster.REGISTRY:
        return cluster.registryAnswers()
            ? new Health(true, "registry answers at " + cluster.registryUrl())
            : new Health(false, "registry does NOT answer at " + cluster.registryUrl());
      case LocalCluster.DASHBOARD:
        return LocalCluster.httpOk(cluster.dashboardUrl() + "/overview")
            ? new Health(true, "dashboard at " + cluster.dashboardUrl())
            : new Health(false, "dashboard does NOT answer at " + cluster.dashboardUrl());
      case LocalCluster.JOB_MANAGER:
        try {
          JsonNode overview = cluster.rest().overview();
          return new Health(
              true,
              String.format(
                  "REST up: %d TaskManager(s), %d of %d slots free",
                  overview.path("taskmanagers").asInt(),
                  overview.path("slots-available").asInt(),
                  overview.path("slots-total").asInt()));
        } catch (IOException e) {
          return new Health(false, "REST does NOT answer: " + e.getMessage());
        }
      case LocalCluster.INGRESS:
        return endpoints(apps.ingressUrl());
      case LocalCluster.MODEL_SERVICE:
        return endpoints(apps.serviceUrl());
      default:
        return new Health(true, "registered with the JobManager");
    }
  }

  private static Health endpoints(String base) {
    int health = ClusterApps.status(base + "/healthz");
    int ready = ClusterApps.status(base + "/readyz");
    return new Health(
        health == 200 && ready == 200,
        base + " /healthz " + answer(health) + ", /readyz " + answer(ready));
  }

  private static String answer(int status) {
    return status < 0 ? "no answer" : String.valueOf(status);
  }

  /**
   * Stops every part the cluster in {@code dir} started, then checks that none of their processes
   * (nor any process they started) is left.
   *
   * @return whether nothing is left
   */
  public static boolean down(Path dir, boolean purge, PrintStream out) throws IOException {
    LocalCluster cluster = LocalCluster.attach(dir, out);
    Map<String, Long> running = cluster.running();
    List<ProcessHandle> trees = cluster.processTrees();
    cluster.close();
    List<ProcessHandle> left = trees.stream().filter(ProcessHandle::isAlive).toList();
    out.println(
        "lethe cluster: stopped "
            + (running.isEmpty()
                ? "nothing (none ran)"
                : running.entrySet().stream()
                    .map(e -> e.getKey() + " (pid " + e.getValue() + ")")
                    .collect(Collectors.joining(", "))));
    if (!left.isEmpty()) {
      out.println(
          "lethe cluster: still running after down: pids "
              + left.stream().map(h -> String.valueOf(h.pid())).collect(Collectors.joining(", ")));
      return false;
    }
    out.println(
        "lethe cluster: nothing left: "
            + trees.size()
            + " process(es) checked, the learner job ended with its JobManager");
    if (purge) {
      LocalCluster.deleteTree(dir);
      out.println("lethe cluster: deleted " + dir);
    }
    return true;
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
