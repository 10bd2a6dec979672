package io.lethe.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.catalog.DatasetSpec;
import io.lethe.catalog.ModelCatalog;
import io.lethe.catalog.ModelSpec;
import io.lethe.catalog.SnapshotPolicy;
import io.lethe.learners.analytic.AnalyticSettings;
import io.lethe.records.LearnerKind;
import io.lethe.testing.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The embedded stack of {@code lethe demo} as someone else on the network would meet it: Flink's
 * REST API refuses a jar upload (which would run their code), and Lethe's listeners bind the
 * loopback address. The in-JVM Kafka broker is the exception: Kafka's test kit reserves its broker
 * and controller ports on every interface before the broker binds them.
 */
class EmbeddedStackListenersIT {
  private static final ModelCatalog CATALOG =
      ModelCatalog.of(
          List.of(new DatasetSpec("tiny", 4, 2)),
          List.of(
              ModelSpec.of("tiny-analytic", LearnerKind.ANALYTIC, "tiny")
                  .withSnapshot(
                      new SnapshotPolicy(1_000_000, Duration.ofSeconds(1), Duration.ofSeconds(1)))
                  .with(AnalyticSettings.BUFFER_SIZE, 16)
                  .with(AnalyticSettings.GAMMA, 0.1)
                  .with(AnalyticSettings.SEED, 7L)));

  private static EmbeddedStack stack;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    stack =
        EmbeddedStack.start(
            CATALOG,
            new EmbeddedStack.Ports(0, "dashboard", 0, "serve", 0, "ingress"),
            Duration.ofSeconds(1),
            System.out);
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

  @Test
  void shouldRefuseAJarUpload() throws Exception {
    HttpResponse<String> overview = get(dashboard() + "/overview");
    assertThat(overview.statusCode()).as("the dashboard answers").isEqualTo(200);
    String boundary = "lethe-test-boundary";
    String body =
        "--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\"evil.jar\"\r\n"
            + "Content-Type: application/x-java-archive\r\n\r\nPK\r\n--"
            + boundary
            + "--\r\n";
    HttpRequest upload =
        HttpRequest.newBuilder(URI.create(dashboard() + "/jars/upload"))
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    Integer status;
    try {
      status = http.send(upload, HttpResponse.BodyHandlers.ofString()).statusCode();
    } catch (IOException closed) {
      status = null; // Flink closes the connection of an upload it has no handler for
    }
    assertThat(status)
        .as("POST /jars/upload")
        .satisfiesAnyOf(
            s -> assertThat(s).isNull(), s -> assertThat(s).isGreaterThanOrEqualTo(400));
    assertThat(get(dashboard() + "/jars").statusCode()).as("GET /jars").isEqualTo(404);
    assertThat(get(dashboard() + "/overview").statusCode()).as("still up").isEqualTo(200);
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void shouldBindLethesListenersToTheLoopbackAddress() throws IOException {
    List<String> listeners = listeningSocketsOfThisProcess();
    int broker = Integer.parseInt(stack.bootstrapServers().replaceAll(".*:", ""));
    for (int port :
        List.of(
            stack.dashboardPort(),
            URI.create(stack.serviceUrl()).getPort(),
            stack.ingressPort(),
            URI.create(stack.registryUrl()).getPort())) {
      assertThat(listeners).as("listeners").contains("127.0.0.1:" + port);
    }
    List<String> wildcard =
        listeners.stream().filter(l -> l.startsWith("0.0.0.0:") || l.startsWith("[::]:")).toList();
    assertThat(wildcard)
        .as("on every interface: only the test kit's broker and controller ports")
        .hasSizeLessThanOrEqualTo(2)
        .anyMatch(l -> l.endsWith(":" + broker));
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
