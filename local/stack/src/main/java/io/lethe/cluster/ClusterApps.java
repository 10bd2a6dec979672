package io.lethe.cluster;

import io.lethe.cli.HttpAuthOptions;
import io.lethe.ingress.IngressMain;
import io.lethe.job.JobSubmission;
import io.lethe.learners.data.FashionMnist;
import io.lethe.schemas.snapshot.SigningKeys;
import io.lethe.schemas.topics.LetheAcls.Principal;
import io.lethe.serving.ServeMain;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lethe's own parts on a {@link LocalCluster}: the learner job, submitted through Flink's client
 * API as {@code lethe job --cluster} does, and the ingress and the model service (with its
 * console), each a process of its own with its principal's Kafka client file, the cluster's HTTP
 * token and the cluster's signing key pair. Every part already running is left as it is. Not
 * thread-safe.
 */
public final class ClusterApps {
  /** The model service's own JVM flags: its scoring runs PyTorch through DJL, offline. */
  private static final List<String> SERVICE_JVM = List.of("-Xmx1g", "-Dai.djl.offline=true");

  private static final List<String> INGRESS_JVM = List.of("-Xmx512m");

  private static final String DEFAULT_CATALOG = "/io/lethe/catalog/default-catalog.yaml";
  private static final Pattern SUBMITTED = Pattern.compile("submitted job ([0-9a-f]{32})");

  private final LocalCluster cluster;

  /** Lethe's parts on {@code cluster}. */
  public ClusterApps(LocalCluster cluster) {
    this.cluster = cluster;
  }

  /**
   * Submits the job unless one runs, starts the ingress and the model service unless they run, and
   * waits until both answer {@code /readyz}; says on {@code log} what it started and what already
   * ran.
   *
   * @param catalog the model catalog of the job and the ingress, or null for the demo's (written to
   *     {@code conf/catalog.yaml}); used only by parts that start now
   * @throws IOException if the job is refused or a part does not become ready (with its log)
   */
  public void up(Path catalog, PrintStream log) throws IOException {
    Path catalogFile = catalog != null ? catalog.toAbsolutePath() : defaultCatalog();
    SigningKeys.GeneratedKeys keys = signingKeys();
    List<String> running = cluster.rest().runningJobs();
    if (running.isEmpty()) {
      String job = submitJob(catalogFile, keys.privateKey());
      log.println("lethe cluster: submitted the learner job " + job);
    } else {
      log.println("lethe cluster: the learner job already runs: " + String.join(", ", running));
    }
    boolean ingress = start(LocalCluster.INGRESS, log, () -> startIngress(catalogFile, keys));
    boolean service =
        start(LocalCluster.MODEL_SERVICE, log, () -> startService(keys, catalog == null));
    if (ingress) {
      cluster.awaitUp(
          LocalCluster.INGRESS,
          () -> ready(ingressUrl()),
          "the ingress's status endpoint ready at " + ingressUrl() + "/readyz");
    }
    if (service) {
      cluster.awaitUp(
          LocalCluster.MODEL_SERVICE,
          () -> ready(serviceUrl()),
          "the model service ready at " + serviceUrl() + "/readyz");
    }
  }

  private interface Start {
    void run() throws IOException;
  }

  private boolean start(String role, PrintStream log, Start start) throws IOException {
    Long pid = cluster.running().get(role);
    if (pid != null) {
      log.println("lethe cluster: " + role + " already runs (pid " + pid + ")");
      return false;
    }
    start.run();
    return true;
  }

  /** The job's id, as {@code lethe job --cluster} prints it; kept in {@code job-id}. */
  private String submitJob(Path catalog, Path signingKey) throws IOException {
    List<String> args = new ArrayList<>(cluster.jobSubmissionOptions());
    args.addAll(List.of("--catalog", catalog.toString(), "--signing-key", signingKey.toString()));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        JobSubmission.run(
            args.toArray(String[]::new),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    Matcher id = SUBMITTED.matcher(out.toString(StandardCharsets.UTF_8));
    if (code != 0 || !id.find()) {
      throw new IOException(
          "the learner job was not submitted: " + err.toString(StandardCharsets.UTF_8).strip());
    }
    Files.writeString(jobIdFile(), id.group(1));
    return id.group(1);
  }

  private void startIngress(Path catalog, SigningKeys.GeneratedKeys keys) throws IOException {
    List<String> args = new ArrayList<>(connection(Principal.INGRESS));
    args.addAll(
        List.of(
            "--catalog",
            catalog.toString(),
            "--port",
            String.valueOf(cluster.settings().ingressPort()),
            "--signing-key",
            keys.privateKey().toString(),
            "--state-dir",
            cluster.stateDir().resolve("ingress").toString()));
    LocalCluster.requireFree(cluster.settings().ingressPort(), "--ingress-port");
    cluster.launchService(LocalCluster.INGRESS, INGRESS_JVM, IngressMain.class.getName(), args);
  }

  /**
   * Starts the model service; with the demo's catalog, its console scores each version on
   * Fashion-MNIST's test split when the data set is installed.
   */
  private void startService(SigningKeys.GeneratedKeys keys, boolean demoCatalog)
      throws IOException {
    List<String> args = new ArrayList<>(connection(Principal.MODEL_SERVICE));
    args.addAll(
        List.of(
            "--host",
            "127.0.0.1",
            "--port",
            String.valueOf(cluster.settings().servePort()),
            "--trusted-keys",
            keys.publicKey().toString()));
    Path testSplit = FashionMnist.defaultDirectory();
    if (demoCatalog && Files.isRegularFile(testSplit.resolve("t10k-labels-idx1-ubyte.gz"))) {
      args.addAll(List.of("--eval-set", testSplit.toString()));
    }
    LocalCluster.requireFree(cluster.settings().servePort(), "--serve-port");
    cluster.launchService(LocalCluster.MODEL_SERVICE, SERVICE_JVM, ServeMain.class.getName(), args);
  }

  /** Kafka, the registry and the HTTP token (or, on an open cluster, none) of {@code principal}. */
  private List<String> connection(Principal principal) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--bootstrap", cluster.bootstrapServers(), "--registry", cluster.registryUrl()));
    cluster
        .clientFile(principal)
        .ifPresent(file -> args.addAll(List.of("--kafka-config", file.toString())));
    cluster
        .httpTokenFile()
        .ifPresentOrElse(
            file -> args.addAll(List.of(HttpAuthOptions.TOKEN_FILE, file.toString())),
            () -> args.add(HttpAuthOptions.INSECURE));
    return args;
  }

  /** The demo's catalog, written once to {@code conf/catalog.yaml}. */
  private Path defaultCatalog() throws IOException {
    Path file = cluster.stateDir().resolve("conf").resolve("catalog.yaml");
    if (!Files.isRegularFile(file)) {
      try (InputStream in = ClusterApps.class.getResourceAsStream(DEFAULT_CATALOG)) {
        if (in == null) {
          throw new IOException(
              "the default catalog " + DEFAULT_CATALOG + " is not on the class path");
        }
        Files.copy(in, file);
      }
    }
    return file;
  }

  /**
   * The cluster's Ed25519 key pair, made at the first {@code up}: the job signs snapshots and the
   * ingress receipts with the private key, the service trusts the public one.
   */
  private SigningKeys.GeneratedKeys signingKeys() {
    Path dir = keysDir();
    Path privateKey = dir.resolve(SigningKeys.PRIVATE_KEY_FILE);
    Path publicKey = dir.resolve(SigningKeys.PUBLIC_KEY_FILE);
    if (Files.isRegularFile(privateKey) && Files.isRegularFile(publicKey)) {
      return new SigningKeys.GeneratedKeys(
          privateKey, publicKey, SigningKeys.keyId(SigningKeys.readPublicKeys(publicKey).get(0)));
    }
    return SigningKeys.generate(dir);
  }

  /** Where the signing key pair is. */
  public Path keysDir() {
    return cluster.stateDir().resolve("security").resolve("keys");
  }

  private Path jobIdFile() {
    return cluster.stateDir().resolve("job-id");
  }

  /** The id of the job the last {@code up} submitted, if any. */
  public Optional<String> submittedJob() {
    try {
      return Files.isRegularFile(jobIdFile())
          ? Optional.of(Files.readString(jobIdFile()).strip())
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The model service's base URL. */
  public String serviceUrl() {
    return "http://127.0.0.1:" + cluster.settings().servePort();
  }

  /** The Lethe console, served by the model service. */
  public String consoleUrl() {
    return serviceUrl() + "/console/";
  }

  /** The ingress's erasure status endpoint. */
  public String ingressUrl() {
    return "http://127.0.0.1:" + cluster.settings().ingressPort();
  }

  private static boolean ready(String base) {
    return status(base + "/readyz") == 200;
  }

  /** The HTTP status of a GET of {@code url}, or -1 if nothing answers. */
  static int status(String url) {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
