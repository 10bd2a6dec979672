package io.lethe.cluster;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * How {@code lethe cluster up} lays out the local multi-process cluster; each error names the
 * command-line option.
 *
 * @param stateDir configuration, pid files, logs, Kafka's data, checkpoints and temporary files
 *     ({@code --state-dir}, default {@code ~/.lethe/cluster})
 * @param taskManagers TaskManager processes at start ({@code --task-managers}, default 2)
 * @param slots task slots per TaskManager ({@code --slots}, default 2)
 * @param dashboardPort the read-only Flink dashboard people open, Lethe's proxy of the REST API
 *     ({@code --dashboard-port}, default 8281)
 * @param restPort the JobManager's REST API, over TLS for clients with the cluster's client
 *     certificate only ({@code --rest-port}, default 8283)
 * @param rpcPort the JobManager's RPC port ({@code --rpc-port}, default 6223)
 * @param kafkaPort the broker's client listener ({@code --kafka-port}, default 9292)
 * @param controllerPort the KRaft controller listener ({@code --controller-port}, default 9293)
 * @param registryPort the schema registry ({@code --registry-port}, default 8282)
 * @param servePort the model service and its console ({@code --serve-port}, default 8280)
 * @param ingressPort the ingress's erasure status endpoint ({@code --ingress-port}, default 8290)
 * @param metricsPort Flink's Prometheus reporter on the JobManager; TaskManager {@code i} serves on
 *     {@code metricsPort + i} ({@code --metrics-port}, default 9270)
 * @param jobManagerMemory the JobManager's total process memory ({@code --jm-memory}, 1024m)
 * @param taskManagerMemory each TaskManager's total process memory ({@code --tm-memory}, 2048m)
 * @param flinkClasspath the Flink processes' class path: Flink's runtime jars, DJL and logging, as
 *     {@code deploy/cluster-runtime} writes it ({@code --flink-classpath FILE} reads it from a
 *     file)
 * @param servicesClasspath the class path of the broker and the registry processes: Kafka's server
 *     jars and Lethe's schemas module (the {@code lethe} launcher's own class path)
 */
public record ClusterSettings(
    Path stateDir,
    int taskManagers,
    int slots,
    int dashboardPort,
    int restPort,
    int rpcPort,
    int kafkaPort,
    int controllerPort,
    int registryPort,
    int servePort,
    int ingressPort,
    int metricsPort,
    String jobManagerMemory,
    String taskManagerMemory,
    String flinkClasspath,
    String servicesClasspath) {

  /**
   * The reporter ports above {@link #metricsPort()}, one per TaskManager index (restarted
   * TaskManagers take new indexes, which wrap around after this many); with the defaults the block
   * ends below the broker's port.
   */
  static final int METRICS_PORTS = 20;

  private static final Pattern MEMORY = Pattern.compile("[1-9][0-9]{0,6}[mg]");

  /** Checks every setting. */
  public ClusterSettings {
    Objects.requireNonNull(stateDir, "--state-dir");
    atLeast("--task-managers", taskManagers, 0);
    atLeast("--slots", slots, 1);
    port("--dashboard-port", dashboardPort);
    port("--rest-port", restPort);
    port("--rpc-port", rpcPort);
    port("--kafka-port", kafkaPort);
    port("--controller-port", controllerPort);
    port("--registry-port", registryPort);
    port("--serve-port", servePort);
    port("--ingress-port", ingressPort);
    if (metricsPort < 1 || metricsPort > 65_535 - METRICS_PORTS) {
      throw new IllegalArgumentException(
          "--metrics-port is "
              + metricsPort
              + ", expected 1 to "
              + (65_535 - METRICS_PORTS)
              + " (the TaskManagers' reporters take the ports above it)");
    }
    memory("--jm-memory", jobManagerMemory);
    memory("--tm-memory", taskManagerMemory);
    if (flinkClasspath == null || flinkClasspath.isBlank()) {
      throw new IllegalArgumentException(
          "--flink-classpath is empty: build it with `mvn -pl deploy/cluster-runtime generate-resources`"
              + " (the lethe launcher does)");
    }
    if (servicesClasspath == null || servicesClasspath.isBlank()) {
      throw new IllegalArgumentException("the services class path is empty");
    }
  }

  /** The defaults for {@code lethe cluster up}, with the given class paths. */
  public static ClusterSettings defaults(String flinkClasspath, String servicesClasspath) {
    return new ClusterSettings(
        Path.of(System.getProperty("user.home"), ".lethe", "cluster"),
        2,
        2,
        8281,
        8283,
        6223,
        9292,
        9293,
        8282,
        8280,
        8290,
        9270,
        "1024m",
        "2048m",
        flinkClasspath,
        servicesClasspath);
  }

  /**
   * The settings as properties, kept in the state directory for {@code status} and {@code down}.
   */
  Properties toProperties() {
    Properties p = new Properties();
    p.setProperty("state-dir", stateDir.toString());
    p.setProperty("task-managers", String.valueOf(taskManagers));
    p.setProperty("slots", String.valueOf(slots));
    p.setProperty("dashboard-port", String.valueOf(dashboardPort));
    p.setProperty("rest-port", String.valueOf(restPort));
    p.setProperty("rpc-port", String.valueOf(rpcPort));
    p.setProperty("kafka-port", String.valueOf(kafkaPort));
    p.setProperty("controller-port", String.valueOf(controllerPort));
    p.setProperty("registry-port", String.valueOf(registryPort));
    p.setProperty("serve-port", String.valueOf(servePort));
    p.setProperty("ingress-port", String.valueOf(ingressPort));
    p.setProperty("metrics-port", String.valueOf(metricsPort));
    p.setProperty("jm-memory", jobManagerMemory);
    p.setProperty("tm-memory", taskManagerMemory);
    p.setProperty("flink-classpath", flinkClasspath);
    p.setProperty("services-classpath", servicesClasspath);
    return p;
  }

  /** The inverse of {@link #toProperties()}. */
  static ClusterSettings fromProperties(Properties p) {
    return new ClusterSettings(
        Path.of(p.getProperty("state-dir")),
        Integer.parseInt(p.getProperty("task-managers")),
        Integer.parseInt(p.getProperty("slots")),
        // a cluster started before the dashboard had a port of its own: none runs
        Integer.parseInt(p.getProperty("dashboard-port", p.getProperty("rest-port"))),
        Integer.parseInt(p.getProperty("rest-port")),
        Integer.parseInt(p.getProperty("rpc-port")),
        Integer.parseInt(p.getProperty("kafka-port")),
        Integer.parseInt(p.getProperty("controller-port")),
        Integer.parseInt(p.getProperty("registry-port")),
        // a cluster started before it ran the ingress, the service and the reporter: the defaults
        Integer.parseInt(p.getProperty("serve-port", "8280")),
        Integer.parseInt(p.getProperty("ingress-port", "8290")),
        Integer.parseInt(p.getProperty("metrics-port", "9270")),
        p.getProperty("jm-memory"),
        p.getProperty("tm-memory"),
        p.getProperty("flink-classpath"),
        p.getProperty("services-classpath"));
  }

  /** A copy with another state directory. */
  public ClusterSettings withStateDir(Path value) {
    return copy(c -> c.stateDir = value);
  }

  /** A copy with other ports: REST, JobManager RPC, Kafka, KRaft controller and registry. */
  public ClusterSettings withPorts(int rest, int rpc, int kafka, int controller, int registry) {
    return copy(
        c -> {
          c.restPort = rest;
          c.rpcPort = rpc;
          c.kafkaPort = kafka;
          c.controllerPort = controller;
          c.registryPort = registry;
        });
  }

  /** A copy with another dashboard port. */
  public ClusterSettings withDashboardPort(int value) {
    return copy(c -> c.dashboardPort = value);
  }

  /**
   * A copy with other ports for the model service, the ingress's status endpoint and Flink's
   * Prometheus reporter (the JobManager's; the TaskManagers' follow it).
   */
  public ClusterSettings withServicePorts(int serve, int ingress, int metrics) {
    return copy(
        c -> {
          c.servePort = serve;
          c.ingressPort = ingress;
          c.metricsPort = metrics;
        });
  }

  /** A copy with other TaskManager counts, slots and memory. */
  public ClusterSettings withTaskManagers(int count, int slotsEach, String memory) {
    return copy(
        c -> {
          c.taskManagers = count;
          c.slots = slotsEach;
          c.taskManagerMemory = memory;
        });
  }

  /** The settings as mutable fields, for the {@code with} methods; checked again when built. */
  private static final class Copy {
    Path stateDir;
    int taskManagers;
    int slots;
    int dashboardPort;
    int restPort;
    int rpcPort;
    int kafkaPort;
    int controllerPort;
    int registryPort;
    int servePort;
    int ingressPort;
    int metricsPort;
    String jobManagerMemory;
    String taskManagerMemory;
    String flinkClasspath;
    String servicesClasspath;

    Copy(ClusterSettings from) {
      stateDir = from.stateDir;
      taskManagers = from.taskManagers;
      slots = from.slots;
      dashboardPort = from.dashboardPort;
      restPort = from.restPort;
      rpcPort = from.rpcPort;
      kafkaPort = from.kafkaPort;
      controllerPort = from.controllerPort;
      registryPort = from.registryPort;
      servePort = from.servePort;
      ingressPort = from.ingressPort;
      metricsPort = from.metricsPort;
      jobManagerMemory = from.jobManagerMemory;
      taskManagerMemory = from.taskManagerMemory;
      flinkClasspath = from.flinkClasspath;
      servicesClasspath = from.servicesClasspath;
    }

    ClusterSettings settings() {
      return new ClusterSettings(
          stateDir,
          taskManagers,
          slots,
          dashboardPort,
          restPort,
          rpcPort,
          kafkaPort,
          controllerPort,
          registryPort,
          servePort,
          ingressPort,
          metricsPort,
          jobManagerMemory,
          taskManagerMemory,
          flinkClasspath,
          servicesClasspath);
    }
  }

  private ClusterSettings copy(java.util.function.Consumer<Copy> change) {
    Copy copy = new Copy(this);
    change.accept(copy);
    return copy.settings();
  }

  private static void atLeast(String option, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(option + " is " + value + ", expected at least " + min);
    }
  }

  private static void port(String option, int value) {
    if (value < 1 || value > 65_535) {
      throw new IllegalArgumentException(option + " is " + value + ", expected 1 to 65535");
    }
  }

  private static void memory(String option, String value) {
    if (value == null || !MEMORY.matcher(value).matches()) {
      throw new IllegalArgumentException(
          option + " is '" + value + "', expected a size like 1024m or 2g");
    }
  }
}
