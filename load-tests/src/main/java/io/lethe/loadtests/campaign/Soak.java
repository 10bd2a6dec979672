package io.lethe.loadtests.campaign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lethe.catalog.ModelCatalog;
import io.lethe.cli.Progress;
import io.lethe.cluster.ClusterSettings;
import io.lethe.cluster.LocalCluster;
import io.lethe.ingress.IngressApp;
import io.lethe.ingress.IngressSettings;
import io.lethe.job.FlinkRestClient;
import io.lethe.job.JobSubmission;
import io.lethe.job.kafka.TopicSetup;
import io.lethe.loadtests.campaign.BadInputCampaign.Report;
import io.lethe.loadtests.campaign.FaultSchedule.Kind;
import io.lethe.loadtests.campaign.FaultSchedule.Planned;
import io.lethe.records.ModelSnapshot;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.schemas.topics.LetheAcls.Principal;
import io.lethe.schemas.topics.LetheTopics;
import io.lethe.schemas.topics.TopicNames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * {@code lethe soak}: the bad-input campaign ({@link CampaignPlan}, {@link BadInputCampaign}) sent
 * at an even pace over a long run to a local multi-process cluster ({@link LocalCluster}) while
 * faults are injected at intervals ({@link FaultSchedule}): a {@code kill -9} of the TaskManager
 * running the learner (a replacement is started), and a stop and restart of the Kafka broker. The
 * ingress runs in this JVM. At the end the campaign's accounting runs on everything that was sent;
 * the report adds each fault's recovery times and the job's restarts.
 *
 * <p>Recovery times are measured from the fault: the job RUNNING again after a restart; output
 * flowing, i.e. the first committed snapshot the job built after the fault; and, for a broker
 * restart, the ingress RUNNING and forwarding again (an accepted sample committed after the broker
 * was back).
 */
public final class Soak {
  /** The ingress's application id (consumer group) in the soak. */
  // the default, which the local cluster's ACLs grant the ingress principal
  static final String INGRESS_APPLICATION_ID = IngressApp.DEFAULT_APPLICATION_ID;

  /** Bound on each wait: start-up, a fault's recovery, each step of the final accounting. */
  static final Duration BOUND = Duration.ofMinutes(10);

  private static final Duration POLL = Duration.ofMillis(250);
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * What the command line asks for.
   *
   * @param duration how long the traffic is sent
   * @param seed the campaign plan's seed
   * @param faultEvery time between faults
   * @param report the JSON report; the text report goes next to it ({@code .txt})
   */
  public record Options(Duration duration, long seed, Duration faultEvery, Path report) {}

  /**
   * One injected fault and how long the stack took to recover; a time is null if it was not reached
   * within {@link #BOUND} (or does not apply).
   *
   * @param number 1, 2, ...
   * @param kind what was done
   * @param atSeconds when, from the start of the traffic
   * @param target the TaskManager killed, or the broker
   * @param outageSeconds how long the broker was away (stop until it served again); null for a kill
   * @param jobRunningSeconds until the job was RUNNING again after a restart (for a broker restart:
   *     RUNNING once the broker was back)
   * @param outputSeconds until the first committed snapshot the job built after the fault
   * @param ingressSeconds until the ingress was RUNNING and had forwarded a sample committed after
   *     the broker was back (broker restarts only)
   * @param jobRestarts restarts of the job from the fault until it recovered
   */
  public record Fault(
      int number,
      Kind kind,
      double atSeconds,
      String target,
      Double outageSeconds,
      Double jobRunningSeconds,
      Double outputSeconds,
      Double ingressSeconds,
      long jobRestarts) {}

  /**
   * The whole soak.
   *
   * @param passed whether no check failed
   * @param problems every failed check (the campaign's and the soak's own)
   */
  public record SoakReport(
      String command,
      String startedAt,
      String endedAt,
      double durationSeconds,
      double faultEverySeconds,
      long seed,
      int badRecords,
      Report campaign,
      List<Fault> faults,
      long jobRestarts,
      String finalJobState,
      String finalIngressState,
      boolean passed,
      List<String> problems) {

    /** The report as lines for people. */
    public String describe() {
      StringBuilder out = new StringBuilder();
      out.append("lethe soak: ").append(passed ? "PASSED" : "FAILED").append('\n');
      out.append("  command: ").append(command).append('\n');
      out.append("  from ").append(startedAt).append(" to ").append(endedAt).append('\n');
      out.append(
          String.format(
              "  traffic over %.0f s, a fault every %.0f s, seed %d, %d bad records%n",
              durationSeconds, faultEverySeconds, seed, badRecords));
      out.append(campaign == null ? "  campaign: not accounted\n" : campaign.describe());
      out.append("  faults:\n");
      for (Fault f : faults) {
        out.append(
            String.format(
                "    %d. %-17s at %6.1f s on %-14s outage %s, job RUNNING %s, output %s,"
                    + " ingress %s, restarts %d%n",
                f.number(),
                f.kind(),
                f.atSeconds(),
                f.target(),
                seconds(f.outageSeconds()),
                seconds(f.jobRunningSeconds()),
                seconds(f.outputSeconds()),
                seconds(f.ingressSeconds()),
                f.jobRestarts()));
      }
      out.append("  job restarts in all: ").append(jobRestarts).append('\n');
      out.append("  final job state: ").append(finalJobState).append('\n');
      out.append("  final ingress state: ").append(finalIngressState).append('\n');
      out.append("  problems: ").append(problems.isEmpty() ? "none" : "").append('\n');
      problems.forEach(p -> out.append("    - ").append(p).append('\n'));
      return out.toString();
    }

    private static String seconds(Double s) {
      return s == null ? "-" : String.format("%.1f s", s);
    }
  }

  private final Options options;
  private final PrintStream log;
  private final List<String> problems = new ArrayList<>();
  private final AtomicBoolean tornDown = new AtomicBoolean();
  private final HttpClient http = HttpClient.newHttpClient();
  private final long startNanos = System.nanoTime();
  private volatile boolean watching = true;
  private Path stateDir;
  private LocalCluster cluster;
  private SchemaRegistryClient registry;
  private IngressApp ingress;
  private String jobId;
  private Thread outputWatch;
  private Thread statusWatch;
  // written by the watch threads, read by the fault loop
  private final List<SnapshotSeen> snapshots = new ArrayList<>();
  private final List<Instant> sampleArrivals = new ArrayList<>();
  private final List<Status> statuses = new ArrayList<>();

  /** A committed snapshot as the watch saw it: when it arrived, and when the job built it. */
  private record SnapshotSeen(Instant arrived, Instant created, long version) {}

  /** The job's and the ingress's state at one poll. */
  private record Status(Instant at, String jobState, long jobRestarts, String ingressState) {}

  /** How often the progress line on standard error says how far the traffic is. */
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

  Soak(Options options, PrintStream log) {
    this.options = options;
    this.log = log;
  }

  /** Runs the soak, writes the report, tears everything down; returns the exit code. */
  int run(String command) throws Exception {
    Thread hook = new Thread(this::tearDown, "lethe-soak-teardown");
    Runtime.getRuntime().addShutdownHook(hook);
    Instant started = Instant.now();
    CampaignPlan plan =
        CampaignPlan.of(
            options.seed(),
            CampaignPlan.Sizes.soak(
                IngressSettings.defaults().maxRecordBytes(), options.duration()));
    // read by the progress line's thread
    List<Fault> faults = new CopyOnWriteArrayList<>();
    Report campaign = null;
    String finalJob = "?";
    String finalIngress = "?";
    long restarts = -1;
    try {
      start();
      BadInputCampaign.Stack stack =
          new BadInputCampaign.Stack(
              cluster.bootstrapServers(),
              LetheTopics.create(TopicNames.defaults(), registry),
              INGRESS_APPLICATION_ID,
              BOUND,
              log,
              // the soak feeds raw topics and reads every outcome: the super user
              cluster.adminClientConfig().kafkaProperties());
      AtomicReference<Throwable> sendFailure = new AtomicReference<>();
      Thread sender =
          new Thread(
              () -> {
                try {
                  BadInputCampaign.sendPaced(plan, stack, options.duration());
                } catch (Throwable e) {
                  sendFailure.set(e);
                }
              },
              "lethe-soak-sender");
      Instant trafficStart = Instant.now();
      sender.start();
      try (Progress progress = Progress.start("lethe soak");
          AutoCloseable ticker =
              progress.every(
                  PROGRESS_EVERY,
                  () ->
                      "sending the campaign: "
                          + Duration.between(trafficStart, Instant.now()).toSeconds()
                          + " of "
                          + options.duration().toSeconds()
                          + " s, "
                          + faults.size()
                          + " fault(s) injected")) {
        for (Planned planned : FaultSchedule.plan(options.duration(), options.faultEvery())) {
          sleepUntil(trafficStart.plus(planned.at()));
          if (!sender.isAlive()) {
            break;
          }
          faults.add(inject(faults.size() + 1, planned.kind(), trafficStart));
        }
        sender.join();
      }
      if (sendFailure.get() != null) {
        problems.add("sending the campaign failed: " + sendFailure.get());
      }
      log.println(at() + "soak: traffic sent; accounting for every input");
      campaign = BadInputCampaign.account(plan, stack);
      problems.addAll(campaign.problems());
      Status last = pollStatus();
      finalJob = last.jobState();
      finalIngress = last.ingressState();
      restarts = last.jobRestarts();
      if (!"RUNNING".equals(finalJob)) {
        problems.add("the job is " + finalJob + " at the end, not RUNNING");
      }
      if (!"RUNNING".equals(finalIngress)) {
        problems.add("the ingress is " + finalIngress + " at the end, not RUNNING");
      }
    } catch (Exception e) {
      problems.add("the soak stopped early: " + e);
      e.printStackTrace(log);
    } finally {
      SoakReport report =
          new SoakReport(
              command,
              started.toString(),
              Instant.now().toString(),
              options.duration().toMillis() / 1e3,
              options.faultEvery().toMillis() / 1e3,
              options.seed(),
              plan.sizes().badRecords(),
              campaign,
              faults,
              restarts,
              finalJob,
              finalIngress,
              problems.isEmpty(),
              List.copyOf(problems));
      writeReport(report);
      tearDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs already
      }
    }
    return problems.isEmpty() ? 0 : 1;
  }

  private void start() throws Exception {
    stateDir = Files.createTempDirectory("lethe-soak-");
    log.println(at() + "soak: starting a local cluster in " + stateDir);
    // Flink's reporters, the JobManager's and one per TaskManager index, on ports of their own: a
    // `lethe cluster up` may hold the defaults, and the cluster's other ports stay clear of them
    int metricsPort = freePort();
    for (int index = 1; index <= 20; index++) {
      handedOut.add(metricsPort + index);
    }
    ClusterSettings settings =
        ClusterSettings.defaults(
                Files.readString(flinkClasspathFile()).strip(),
                System.getProperty("java.class.path"))
            .withStateDir(stateDir.resolve("cluster"))
            .withPorts(freePort(), freePort(), freePort(), freePort(), freePort())
            .withDashboardPort(freePort())
            .withServicePorts(freePort(), freePort(), metricsPort)
            .withTaskManagers(2, 2, "1536m");
    cluster = LocalCluster.start(settings, log);
    registry =
        SchemaRegistryClient.create(
            cluster.registryUrl(), cluster.adminClientConfig().registryProperties());
    TopicNames names = TopicNames.defaults();
    TopicSetup.ensureTopics(cluster.bootstrapServers(), cluster.adminClientConfig(), names, 2);
    Path catalog = BadInputCampaign.catalog().write(stateDir.resolve("catalog.yaml"));
    jobId = submit(catalog);
    log.println(at() + "soak: submitted job " + jobId + ", dashboard " + cluster.dashboardUrl());
    FlinkRestClient rest = cluster.rest();
    await("the job RUNNING", () -> jobState(rest).equals("RUNNING"));
    ingress =
        IngressApp.start(
            new IngressApp.Connection(
                INGRESS_APPLICATION_ID,
                cluster.bootstrapServers(),
                stateDir.resolve("ingress"),
                -1,
                "localhost",
                null,
                cluster.clientConfig(Principal.INGRESS)),
            LetheTopics.create(names, registry),
            names,
            ModelCatalog.load(catalog),
            IngressSettings.defaults());
    await("the ingress RUNNING", () -> ingress.streams().state() == KafkaStreams.State.RUNNING);
    outputWatch = daemon("lethe-soak-outputs", this::watchOutputs);
    statusWatch =
        daemon(
            "lethe-soak-status",
            () -> {
              while (watching) {
                pollStatus();
                sleep(Duration.ofMillis(500));
              }
            });
  }

  private String submit(Path catalog) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> args = new ArrayList<>(cluster.jobSubmissionOptions());
    args.addAll(List.of("--catalog", catalog.toString(), "--checkpoint-interval", "1s"));
    int code =
        JobSubmission.run(
            args.toArray(String[]::new),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    Matcher id =
        Pattern.compile("submitted job ([0-9a-f]{32})")
            .matcher(out.toString(StandardCharsets.UTF_8));
    if (code != 0 || !id.find()) {
      throw new IllegalStateException(
          "job submission failed (exit " + code + "): " + err.toString(StandardCharsets.UTF_8));
    }
    return id.group(1);
  }

  // ---------------------------------------------------------------- faults

  private Fault inject(int number, Kind kind, Instant trafficStart) throws Exception {
    Instant at = Instant.now();
    double atSeconds = Duration.between(trafficStart, at).toMillis() / 1e3;
    long restartsBefore = latestStatus().map(Status::jobRestarts).orElse(0L);
    String target;
    Double outage = null;
    Instant back;
    if (kind == Kind.TASK_MANAGER_KILL) {
      List<String> learner = taskManagersOf("Learner");
      if (learner.size() != 1) {
        problems.add("fault " + number + ": the learner runs on TaskManagers " + learner);
        return new Fault(number, kind, atSeconds, "none", null, null, null, null, 0);
      }
      target = learner.get(0);
      log.println(at() + "soak: fault " + number + ": kill -9 of " + target + " (the learner's)");
      cluster.killTaskManager(Integer.parseInt(target.substring(target.lastIndexOf('-') + 1)));
      int survivors = cluster.taskManagers().size();
      await(
          "the JobManager to drop " + target, () -> cluster.registeredTaskManagers() == survivors);
      int replacement = cluster.startTaskManager();
      log.println(at() + "soak: started taskmanager-" + replacement + " as the replacement");
      back = at;
    } else {
      target = "broker";
      log.println(at() + "soak: fault " + number + ": broker stop and restart");
      cluster.stopBroker();
      cluster.startBroker();
      back = Instant.now();
      outage = Duration.between(at, back).toMillis() / 1e3;
    }

    Double jobRunning = null;
    Double output = null;
    Double ingressBack = null;
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (System.nanoTime() < deadline
        && (jobRunning == null
            || output == null
            || (kind == Kind.BROKER_RESTART && ingressBack == null))) {
      if (jobRunning == null) {
        jobRunning =
            statusesSince(back).stream()
                .filter(s -> s.jobState().equals("RUNNING"))
                .filter(s -> kind == Kind.BROKER_RESTART || s.jobRestarts() > restartsBefore)
                .findFirst()
                .map(s -> since(at, s.at()))
                .orElse(null);
      }
      if (output == null) {
        synchronized (snapshots) {
          output =
              snapshots.stream()
                  .filter(s -> s.created().isAfter(at))
                  .findFirst()
                  .map(s -> since(at, s.arrived()))
                  .orElse(null);
        }
      }
      if (kind == Kind.BROKER_RESTART && ingressBack == null) {
        Optional<Instant> running =
            statusesSince(back).stream()
                .filter(s -> s.ingressState().equals("RUNNING"))
                .map(Status::at)
                .findFirst();
        Optional<Instant> forwarded;
        synchronized (sampleArrivals) {
          forwarded = sampleArrivals.stream().filter(t -> t.isAfter(back)).findFirst();
        }
        if (running.isPresent() && forwarded.isPresent()) {
          Instant both = running.get().isAfter(forwarded.get()) ? running.get() : forwarded.get();
          ingressBack = since(at, both);
        }
      }
      sleep(POLL);
    }
    long restarts = latestStatus().map(Status::jobRestarts).orElse(0L) - restartsBefore;
    if (jobRunning == null
        || output == null
        || (kind == Kind.BROKER_RESTART && ingressBack == null)) {
      problems.add(
          "fault "
              + number
              + " ("
              + kind
              + "): not recovered within "
              + BOUND
              + " (job RUNNING "
              + jobRunning
              + " s, output "
              + output
              + " s, ingress "
              + ingressBack
              + " s)");
    }
    Fault fault =
        new Fault(
            number, kind, atSeconds, target, outage, jobRunning, output, ingressBack, restarts);
    log.println(at() + "soak: " + fault);
    return fault;
  }

  /** The resource ids of the TaskManagers running the job's vertex named {@code vertexName}. */
  private List<String> taskManagersOf(String vertexName) throws Exception {
    String base = cluster.dashboardUrl() + "/jobs/" + jobId;
    for (JsonNode vertex : JSON.readTree(get(base)).path("vertices")) {
      if (vertex.path("name").asText().equals(vertexName)) {
        JsonNode managers =
            JSON.readTree(get(base + "/vertices/" + vertex.path("id").asText() + "/taskmanagers"));
        List<String> ids = new ArrayList<>();
        managers.path("taskmanagers").forEach(m -> ids.add(m.path("taskmanager-id").asText()));
        return ids;
      }
    }
    return List.of();
  }

  // ---------------------------------------------------------------- watching

  /**
   * Reads the committed snapshots of the campaign's model and the accepted samples as a serving
   * reader does: read_committed and no consumer group, so a broker restart cannot send it back.
   */
  private void watchOutputs() {
    TopicNames names = TopicNames.defaults();
    LetheTopics topics = LetheTopics.create(names, registry);
    Properties props = new Properties();
    props.putAll(cluster.adminClientConfig().kafkaProperties());
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
        String.valueOf(TopicNames.MAX_SNAPSHOT_BYTES));
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : List.of(names.models(), names.samples())) {
        consumer
            .partitionsFor(topic)
            .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      while (watching) {
        boolean samples = false;
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.topic().equals(names.samples())) {
            samples = true;
          } else if (CampaignPlan.MODEL.equals(r.key()) && r.value() != null) {
            ModelSnapshot s =
                topics.models().valueSerde().deserializer().deserialize(r.topic(), r.value());
            synchronized (snapshots) {
              snapshots.add(new SnapshotSeen(Instant.now(), s.getCreatedAt(), s.getVersion()));
            }
          }
        }
        if (samples) {
          synchronized (sampleArrivals) {
            sampleArrivals.add(Instant.now());
          }
        }
      }
    } catch (RuntimeException e) {
      if (watching) {
        problems.add("the output watch failed: " + e);
      }
    }
  }

  private Status pollStatus() {
    String state = "?";
    long restarts = -1;
    try {
      state = jobState(cluster.rest());
      JsonNode metrics =
          JSON.readTree(
              get(cluster.dashboardUrl() + "/jobs/" + jobId + "/metrics?get=numRestarts"));
      if (metrics.size() == 1) {
        restarts = metrics.get(0).path("value").asLong();
      }
    } catch (Exception e) {
      // the JobManager is busy: an unknown state for this poll
    }
    if (restarts < 0) {
      restarts = latestStatus().map(Status::jobRestarts).orElse(0L);
    }
    String ingressState = ingress == null ? "?" : ingress.streams().state().name();
    Status status = new Status(Instant.now(), state, restarts, ingressState);
    synchronized (statuses) {
      statuses.add(status);
    }
    return status;
  }

  private Optional<Status> latestStatus() {
    synchronized (statuses) {
      return statuses.isEmpty() ? Optional.empty() : Optional.of(statuses.get(statuses.size() - 1));
    }
  }

  private List<Status> statusesSince(Instant from) {
    synchronized (statuses) {
      return statuses.stream().filter(s -> !s.at().isBefore(from)).toList();
    }
  }

  private String jobState(FlinkRestClient rest) {
    try {
      return rest.jobState(jobId).orElse("UNKNOWN");
    } catch (IOException e) {
      return "UNREACHABLE";
    }
  }

  // ---------------------------------------------------------------- report and teardown

  private void writeReport(SoakReport report) {
    String text = report.describe();
    log.println(text);
    try {
      Path json = options.report().toAbsolutePath();
      if (json.getParent() != null) {
        Files.createDirectories(json.getParent());
      }
      JSON.writeValue(json.toFile(), report);
      Path txt = textReport(json);
      Files.writeString(txt, text);
      log.println("soak: report written to " + json + " and " + txt);
    } catch (IOException e) {
      log.println("soak: cannot write the report: " + e);
    }
  }

  /** The text report's path: the JSON report's with {@code .txt} for {@code .json}. */
  static Path textReport(Path json) {
    String name = json.getFileName().toString();
    String base = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
    return json.resolveSibling(base + ".txt");
  }

  /** Stops everything this soak started and deletes its state; safe to call twice. */
  void tearDown() {
    if (!tornDown.compareAndSet(false, true)) {
      return;
    }
    watching = false;
    log.println("soak: tearing down");
    for (Thread t : new Thread[] {outputWatch, statusWatch}) {
      if (t != null) {
        try {
          t.join(5_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    if (ingress != null) {
      ingress.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (registry != null) {
      try {
        registry.close();
      } catch (Exception e) {
        log.println("soak: closing the registry client: " + e);
      }
    }
    if (stateDir != null) {
      try (Stream<Path> paths = Files.walk(stateDir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        log.println("soak: cannot delete " + stateDir + ": " + e);
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  /**
   * {@code deploy/cluster-runtime/target/flink-classpath.txt} of the checkout this class was built
   * in (it runs from {@code load-tests/target/classes}).
   */
  private static Path flinkClasspathFile() throws Exception {
    Path classes = Path.of(Soak.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path file =
        classes
            .getParent()
            .getParent()
            .getParent()
            .resolve("deploy/cluster-runtime/target/flink-classpath.txt");
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(
          file
              + " does not exist; build it with `mvn -pl deploy/cluster-runtime generate-resources`");
    }
    return file;
  }

  /**
   * A free port below Linux's ephemeral range, which outgoing connections of the cluster's
   * processes never take between choosing and binding it (docs/reliability.md).
   */
  private final List<Integer> handedOut = new ArrayList<>();

  private final Random random = new Random();

  private int freePort() throws IOException {
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = 20_000 + random.nextInt(12_000);
      if (handedOut.contains(port)) {
        continue;
      }
      try (ServerSocket socket = new ServerSocket(port)) {
        handedOut.add(port);
        return port;
      } catch (IOException inUse) {
        // taken: try another
      }
    }
    throw new IOException("no free port found between 20000 and 32000");
  }

  private String get(String url) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(url + " answered " + response.statusCode());
    }
    return response.body();
  }

  private void await(String what, Supplier<Boolean> condition) {
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (!condition.get()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("waited " + BOUND + " for " + what);
      }
      sleep(POLL);
    }
  }

  private static Double since(Instant from, Instant to) {
    return Duration.between(from, to).toMillis() / 1e3;
  }

  private String at() {
    return String.format("[%7.1f s] ", (System.nanoTime() - startNanos) / 1e9);
  }

  private static void sleepUntil(Instant when) {
    Duration left = Duration.between(Instant.now(), when);
    if (!left.isNegative()) {
      sleep(left);
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static Thread daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
    return t;
  }
}
