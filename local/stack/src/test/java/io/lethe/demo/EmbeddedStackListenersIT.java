package io.lethe.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lethe.job.FlinkRestClient;
import io.lethe.job.rest.FlinkRestTls;
import io.lethe.testing.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.cli.CliFrontend;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.RestOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The embedded stack of {@code lethe demo} as someone else would meet it: Flink's REST endpoint
 * talks only to callers with the stack's client certificate, so an anonymous jar upload (which
 * would run their code) and an anonymous cancel both fail; the dashboard is a read-only proxy; and
 * Lethe's listeners bind the loopback address. The in-JVM Kafka broker is the exception: Kafka's
 * test kit reserves its broker and controller ports on every interface before the broker binds
 * them.
 */
class EmbeddedStackListenersIT {

  private static EmbeddedStack stack;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    stack = TinyStack.start();
    Await.until(
        "the learner job to run",
        Duration.ofSeconds(90),
        () -> stack.learnerJob().getJobStatus().get() == JobStatus.RUNNING);
  }

  @AfterAll
  static void stop() throws Exception {
    if (stack != null) {
      stack.close();
    }
  }

  private String dashboard() {
    return "http://127.0.0.1:" + stack.dashboardPort();
  }

  private String jobId() {
    return stack.learnerJob().getJobID().toString();
  }

  @Test
  void shouldRefuseAnAnonymousJarUploadAndCancelOnFlinksRestEndpoint() throws Exception {
    String rest = stack.flinkRest().restUrl();
    // a caller that trusts the server but has no client certificate
    HttpClient anonymous = HttpClient.newBuilder().sslContext(trustingTheServerOnly()).build();
    for (HttpRequest request :
        List.of(
            upload(rest),
            cancel(rest),
            HttpRequest.newBuilder(URI.create(rest + "/overview")).build())) {
      assertThatThrownBy(() -> anonymous.send(request, HttpResponse.BodyHandlers.ofString()))
          .as(request.method() + " " + request.uri() + " without a client certificate")
          .isInstanceOf(IOException.class);
    }
    HttpRequest plain = cancel(rest.replace("https://", "http://"));
    // Flink answers plain HTTP with a redirect to HTTPS, and does nothing else
    assertThat(http.send(plain, HttpResponse.BodyHandlers.ofString()).statusCode())
        .as("PATCH over plain HTTP")
        .isEqualTo(301);
    assertThat(stack.learnerJob().getJobStatus().get())
        .as("the job keeps running")
        .isEqualTo(JobStatus.RUNNING);
  }

  @Test
  void shouldServeTheDashboardReadOnly() throws Exception {
    HttpResponse<String> overview = get(dashboard() + "/overview");
    assertThat(overview.statusCode()).as("the dashboard answers").isEqualTo(200);
    assertThat(overview.body()).contains("\"taskmanagers\":1");
    assertThat(get(dashboard() + "/").body()).as("the dashboard's page").contains("<html");
    for (HttpRequest request :
        List.of(
            upload(dashboard()),
            cancel(dashboard()),
            HttpRequest.newBuilder(URI.create(dashboard() + "/jobs/" + jobId()))
                .DELETE()
                .build())) {
      HttpResponse<String> refused = http.send(request, HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).as(request.method() + " " + request.uri()).isEqualTo(405);
      assertThat(refused.body()).startsWith("Lethe's Flink dashboard is read-only");
    }
    assertThat(get(dashboard() + "/jobs/overview").body()).contains(jobId(), "RUNNING");
    assertThat(get(dashboard() + "/jars").statusCode())
        .as("GET /jars: web submit is off")
        .isEqualTo(404);
    assertThat(stack.learnerJob().getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
  }

  @Test
  void shouldLetTheClientCertificateOfTheFlinkClientConfigurationRead() throws Exception {
    Path config = stack.flinkRest().clientConfigDir();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config)))
        .isEqualTo("rwx------");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(config.resolve("config.yaml"))))
        .isEqualTo("rw-------");
    Configuration flinkConfig = GlobalConfiguration.loadConfiguration(config.toString());
    FlinkRestTls tls = FlinkRestTls.fromConfiguration(flinkConfig).orElseThrow();
    String rest =
        "https://" + flinkConfig.get(RestOptions.ADDRESS) + ":" + flinkConfig.get(RestOptions.PORT);
    assertThat(rest).isEqualTo(stack.flinkRest().restUrl());
    FlinkRestClient client = new FlinkRestClient(rest, tls.sslContext());
    assertThat(client.overview().path("taskmanagers").asInt()).isEqualTo(1);
    assertThat(client.jobState(jobId())).hasValue("RUNNING");
    // Flink's own CLI with FLINK_CONF_DIR set to that directory: `flink list` reaches the job
    CliFrontend flinkCli =
        new CliFrontend(
            flinkConfig, CliFrontend.loadCustomCommandLines(flinkConfig, config.toString()));
    assertThat(flinkCli.parseAndRun(new String[] {"list", "--running"})).as("flink list").isZero();
    // web submit is off: not even a caller with the certificate can upload a jar
    Path jar = Files.createTempFile("evil", ".jar");
    try {
      Files.write(jar, new byte[] {'P', 'K'});
      assertThatThrownBy(() -> client.uploadJar(jar)).isInstanceOf(IOException.class);
    } finally {
      Files.delete(jar);
    }
  }

  private static HttpRequest upload(String base) {
    String boundary = "lethe-test-boundary";
    String body =
        "--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\"evil.jar\"\r\n"
            + "Content-Type: application/x-java-archive\r\n\r\nPK\r\n--"
            + boundary
            + "--\r\n";
    return HttpRequest.newBuilder(URI.create(base + "/jars/upload"))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  /** {@code PATCH /jobs/<id>?mode=cancel}, what the dashboard's cancel button sends. */
  private HttpRequest cancel(String base) {
    return HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId() + "?mode=cancel"))
        .method("PATCH", HttpRequest.BodyPublishers.noBody())
        .build();
  }

  /** Trusts the stack's CA, presents no certificate. */
  private static SSLContext trustingTheServerOnly() throws Exception {
    FlinkRestTls client = stack.flinkRest().client();
    KeyStore truststore = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(client.truststore())) {
      truststore.load(in, client.truststorePassword().toCharArray());
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(truststore);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void shouldBindEveryListenerToTheLoopbackAddress() throws IOException {
    List<String> listeners = listeningSocketsOfThisProcess();
    int broker = Integer.parseInt(stack.bootstrapServers().replaceAll(".*:", ""));
    for (int port :
        List.of(
            broker,
            stack.dashboardPort(),
            URI.create(stack.flinkRest().restUrl()).getPort(),
            URI.create(stack.serviceUrl()).getPort(),
            stack.ingressPort(),
            URI.create(stack.jobMetricsUrl()).getPort(),
            URI.create(stack.registryUrl()).getPort())) {
      assertThat(listeners).as("listeners").contains("127.0.0.1:" + port);
    }
    // the broker's controller port too, and Flink's own RPC and data ports
    assertThat(listeners)
        .as("listeners on every interface")
        .noneMatch(l -> l.startsWith("0.0.0.0:") || l.startsWith("[::]:"));
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The local address of every TCP socket this JVM listens on, from {@code /proc}: the socket
   * inodes among this process's file descriptors, looked up in the kernel's TCP tables.
   */
  private static List<String> listeningSocketsOfThisProcess() throws IOException {
    Set<String> inodes = new HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : fds.toList()) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring("socket:[".length(), target.length() - 1));
          }
        } catch (IOException gone) {
          // a descriptor closed while listing
        }
      }
    }
    List<String> listening = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      List<String> lines = Files.readAllLines(Path.of(table), StandardCharsets.US_ASCII);
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        // f[1] local address (hex ip:port), f[3] state (0A = LISTEN), f[9] inode
        if (f[3].equals("0A") && inodes.contains(f[9])) {
          listening.add(address(f[1]));
        }
      }
    }
    return listening;
  }

  /** {@code 0100007F:1F90} as {@code 127.0.0.1:8080}; IPv6 as {@code [hex]:port}. */
  private static String address(String hex) {
    String[] parts = hex.split(":");
    int port = Integer.parseInt(parts[1], 16);
    String ip = parts[0];
    if (ip.startsWith("0000000000000000FFFF0000")) {
      ip = ip.substring(24); // an IPv4-mapped IPv6 address
    }
    if (ip.length() == 8) {
      long v = Long.parseLong(ip, 16);
      return (v & 0xff)
          + "."
          + (v >> 8 & 0xff)
          + "."
          + (v >> 16 & 0xff)
          + "."
          + (v >> 24 & 0xff)
          + ":"
          + port;
    }
    if (ip.equals("00000000000000000000000000000000")) {
      return "[::]:" + port;
    }
    return "[" + ip + "]:" + port;
  }
}
