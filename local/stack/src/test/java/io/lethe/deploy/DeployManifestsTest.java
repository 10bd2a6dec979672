package io.lethe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lethe.catalog.ModelCatalog;
import io.lethe.catalog.ModelSpec;
import io.lethe.cli.HttpAuthOptions;
import io.lethe.ingress.IngressOptions;
import io.lethe.job.ClusterJob;
import io.lethe.job.JobAccess;
import io.lethe.job.JobSettings;
import io.lethe.schemas.topics.TopicNames;
import io.lethe.serving.ModelService;
import io.lethe.serving.ServingAccess;
import io.lethe.serving.ServingSettings;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Checks the files under {@code deploy/} against the code: every manifest parses, and the topics,
 * ports, paths, command lines, catalogs and Flink settings in them are the ones the code defines,
 * read from the code's own constants and parsers; the metric names the dashboard and the alerts
 * read are those docs/metrics.md documents.
 */
class DeployManifestsTest {
  /**
   * Where the job jar lives in the lethe-flink image (copied there by deploy/docker/Dockerfile).
   */
  private static final String JOB_JAR_IN_IMAGE = "/opt/flink/usrlib/lethe-job.jar";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TopicNames TOPICS = TopicNames.defaults();

  private static Path deploy;
  private static Path testTokens;
  private static Map<Path, List<JsonNode>> manifests;
  private static JsonNode compose;
  private static List<JsonNode> k8s;

  @BeforeAll
  static void loadManifests() throws IOException {
    testTokens = Files.createTempFile("lethe-deploy-test", ".tokens");
    testTokens.toFile().deleteOnExit();
    Files.writeString(testTokens, "a-token-for-manifest-tests\n");
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("deploy/README.md"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("a parent directory holding deploy/README.md").isNotNull();
    deploy = dir.resolve("deploy");
    manifests = new LinkedHashMap<>();
    try (Stream<Path> files = Files.walk(deploy)) {
      for (Path file : files.filter(DeployManifestsTest::isManifest).sorted().toList()) {
        manifests.put(file, parse(file));
      }
    }
    compose = single("compose/compose.yaml");
    k8s = new ArrayList<>();
    manifests.forEach(
        (file, docs) -> {
          if (file.startsWith(deploy.resolve("k8s/base")) && file.toString().endsWith(".yaml")) {
            k8s.addAll(docs);
          }
        });
  }

  @Test
  void shouldParseEveryManifest() {
    assertThat(manifests.keySet())
        .extracting(f -> deploy.relativize(f).toString())
        .contains(
            "compose/compose.yaml",
            "compose/prometheus.yml",
            "prometheus/lethe-rules.yaml",
            "k8s/base/kustomization.yaml",
            "k8s/base/lethe-dashboard.json",
            "k8s/gpu/kustomization.yaml");
    manifests.forEach((file, docs) -> assertThat(docs).as("documents in %s", file).isNotEmpty());
    for (Path file : manifests.keySet()) {
      if (!file.startsWith(deploy.resolve("k8s")) || !file.toString().endsWith(".yaml")) {
        continue;
      }
      for (JsonNode doc : manifests.get(file)) {
        assertThat(doc.path("apiVersion").asText()).as("apiVersion in %s", file).isNotBlank();
        assertThat(doc.path("kind").asText()).as("kind in %s", file).isNotBlank();
      }
    }
  }

  @Test
  void shouldReferToKustomizeFilesThatExist() {
    for (String overlay : List.of("k8s/base", "k8s/gpu")) {
      JsonNode kustomization = single(overlay + "/kustomization.yaml");
      List<String> referenced = new ArrayList<>();
      kustomization.path("resources").forEach(r -> referenced.add(r.asText()));
      kustomization.path("patches").forEach(p -> referenced.add(p.path("path").asText()));
      kustomization
          .path("configMapGenerator")
          .forEach(g -> g.path("files").forEach(f -> referenced.add(f.asText())));
      assertThat(referenced).as("files of %s", overlay).isNotEmpty();
      for (String ref : referenced) {
        assertThat(deploy.resolve(overlay).resolve(ref).normalize())
            .as("%s in %s", ref, overlay)
            .exists();
      }
    }
  }

  @Test
  void shouldDeclareEveryLetheTopicInStrimziAndNoOther() {
    Map<String, JsonNode> declared = new LinkedHashMap<>();
    for (JsonNode topic : kind("KafkaTopic")) {
      String name = topic.path("spec").path("topicName").asText(name(topic));
      declared.put(name, topic);
      assertThat(topic.path("metadata").path("labels").path("strimzi.io/cluster").asText())
          .isEqualTo(name(only(kind("Kafka"))));
    }
    assertThat(declared.keySet()).containsExactlyInAnyOrderElementsOf(letheTopics());

    JsonNode models = declared.get(TOPICS.models()).path("spec").path("config");
    assertThat(models.path("cleanup.policy").asText()).isEqualTo("compact");
    assertThat(models.path("max.message.bytes").asLong())
        .isGreaterThanOrEqualTo(TopicNames.MAX_SNAPSHOT_BYTES);
    JsonNode broker = only(kind("Kafka")).path("spec").path("kafka").path("config");
    assertThat(broker.path("message.max.bytes").asLong())
        .isGreaterThanOrEqualTo(TopicNames.MAX_SNAPSHOT_BYTES);
    assertThat(broker.path("replica.fetch.max.bytes").asLong())
        .isGreaterThanOrEqualTo(TopicNames.MAX_SNAPSHOT_BYTES);
  }

  @Test
  void shouldCreateEveryLetheTopicInComposeAndNoOther() {
    String script = service("topics").path("command").get(0).asText();
    Map<String, String> created = new LinkedHashMap<>();
    Matcher m = Pattern.compile("--topic (\\S+)([^\\n]*)").matcher(script);
    while (m.find()) {
      created.put(m.group(1), m.group(2));
    }
    assertThat(created.keySet()).containsExactlyInAnyOrderElementsOf(letheTopics());
    String models = created.get(TOPICS.models());
    assertThat(models).contains("--config cleanup.policy=compact");
    Matcher max = Pattern.compile("--config max\\.message\\.bytes=(\\d+)").matcher(models);
    assertThat(max.find()).as("max.message.bytes of %s", TOPICS.models()).isTrue();
    assertThat(Long.parseLong(max.group(1))).isGreaterThanOrEqualTo(TopicNames.MAX_SNAPSHOT_BYTES);

    JsonNode broker = service("kafka").path("environment");
    assertThat(broker.path("KAFKA_MESSAGE_MAX_BYTES").asLong())
        .isGreaterThanOrEqualTo(TopicNames.MAX_SNAPSHOT_BYTES);
    assertThat(broker.path("KAFKA_REPLICA_FETCH_MAX_BYTES").asLong())
        .isGreaterThanOrEqualTo(TopicNames.MAX_SNAPSHOT_BYTES);
  }

  @Test
  void shouldNameOnlyLetheTopicsAnywhere() throws IOException {
    Pattern topicLike = Pattern.compile("(?<![\\w.-])lethe\\.[a-z][a-z.]*[a-z]");
    Set<String> known = new HashSet<>(letheTopics());
    for (Path file : manifests.keySet()) {
      Matcher m = topicLike.matcher(Files.readString(file));
      while (m.find()) {
        assertThat(known).as("topic-like name in %s", file).contains(m.group());
      }
    }
  }

  @Test
  void shouldRunTheModelServiceOnItsDefaultPortWithItsOwnOptions() {
    List<ServingSettings> all = new ArrayList<>();
    ServingSettings fromCompose = serveSettings(service("model-service").path("command"));
    all.add(fromCompose);
    assertThat(service("model-service").path("ports").get(0).asText())
        .endsWith(":" + fromCompose.port());
    assertThat(kafkaAddressesInCompose()).contains(fromCompose.bootstrapServers());
    assertThat(fromCompose.registryUrl()).isEqualTo(composeRegistryUrl());

    JsonNode deployment = named(kind("Deployment"), "lethe-model-service");
    JsonNode container = deployment.at("/spec/template/spec/containers/0");
    ServingSettings fromK8s = serveSettings(container.path("args"));
    all.add(fromK8s);
    assertThat(fromK8s.bootstrapServers()).isEqualTo(strimziBootstrap());
    assertThat(fromK8s.registryUrl()).isEqualTo(k8sRegistryUrl());
    assertThat(container.at("/ports/0/containerPort").asInt()).isEqualTo(fromK8s.port());
    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      assertThat(container.path(probe).at("/httpGet/port").asInt())
          .as(probe)
          .isEqualTo(fromK8s.port());
    }
    assertThat(deployment.at("/spec/template/metadata/annotations/prometheus.io~1port").asInt())
        .isEqualTo(fromK8s.port());
    assertThat(named(kind("Service"), "lethe-model-service").at("/spec/ports/0/port").asInt())
        .isEqualTo(fromK8s.port());

    for (ServingSettings settings : all) {
      assertThat(settings.port()).isEqualTo(ServingSettings.DEFAULT_PORT);
      assertThat(settings.modelsTopic()).isEqualTo(TOPICS.models());
      assertThat(settings.learnerStatusTopic()).isEqualTo(TOPICS.learnerStatus());
    }
  }

  @Test
  void shouldProbeAndScrapeEndpointsTheModelServiceServes() throws Exception {
    JsonNode container =
        named(kind("Deployment"), "lethe-model-service").at("/spec/template/spec/containers/0");
    String liveness = container.at("/livenessProbe/httpGet/path").asText();
    String startup = container.at("/startupProbe/httpGet/path").asText();
    String readiness = container.at("/readinessProbe/httpGet/path").asText();
    String k8sMetrics =
        named(kind("Deployment"), "lethe-model-service")
            .at("/spec/template/metadata/annotations/prometheus.io~1path")
            .asText();
    Matcher composeCheck =
        Pattern.compile("GET (\\S+) HTTP")
            .matcher(service("model-service").at("/healthcheck/test/1").asText());
    assertThat(composeCheck.find()).isTrue();
    JsonNode scrape = scrapeJob(single("compose/prometheus.yml"), "lethe-model-service");
    assertThat(scrape.at("/static_configs/0/targets/0").asText())
        .isEqualTo("model-service:" + ServingSettings.DEFAULT_PORT);

    // The real service, with no Kafka to reach: alive, serving metrics, and not ready.
    ServingSettings settings =
        ServingSettings.defaults("localhost:1", "http://localhost:1")
            .withPort(0)
            .withHost("localhost");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try (ModelService service = ModelService.start(settings)) {
      for (String alive : List.of(liveness, startup)) {
        assertThat(get(http, service.port(), alive).statusCode()).as(alive).isEqualTo(200);
      }
      for (String path : List.of(readiness, composeCheck.group(1))) {
        HttpResponse<String> ready = get(http, service.port(), path);
        assertThat(ready.statusCode()).as(path).isEqualTo(503);
        assertThat(ready.body()).as(path).contains("\"ready\":false");
      }
      for (String path : List.of(k8sMetrics, scrape.path("metrics_path").asText())) {
        HttpResponse<String> metrics = get(http, service.port(), path);
        assertThat(metrics.statusCode()).as(path).isEqualTo(200);
        assertThat(metrics.body()).as(path).contains("lethe_serving_ready");
      }
    }
  }

  @Test
  void shouldRunTheIngressWithItsOwnOptionsOnItsDefaultPort() {
    IngressOptions fromCompose = ingressOptions(service("ingress").path("command"));
    assertThat(fromCompose.httpPort()).isEqualTo(IngressOptions.DEFAULT_HTTP_PORT);
    assertThat(service("ingress").path("ports").get(0).asText())
        .endsWith(":" + fromCompose.httpPort());
    assertThat(kafkaAddressesInCompose()).contains(fromCompose.bootstrap());
    assertThat(fromCompose.registry()).isEqualTo(composeRegistryUrl());
    assertThat(composeMounts("ingress"))
        .containsEntry(fromCompose.catalog().toString(), "./catalog.yaml");
    // The ingress serves its metrics itself, on the erasure status port.
    JsonNode scrape = scrapeJob(single("compose/prometheus.yml"), "lethe-ingress");
    assertThat(scrape.at("/static_configs/0/targets/0").asText())
        .isEqualTo("ingress:" + fromCompose.httpPort());
    assertThat(scrape.path("metrics_path").asText()).isEqualTo("/metrics");

    JsonNode deployment = named(kind("Deployment"), "lethe-ingress");
    JsonNode pod = deployment.at("/spec/template/spec");
    JsonNode container = pod.at("/containers/0");
    IngressOptions fromK8s = ingressOptions(container.path("args"));
    assertThat(fromK8s.httpPort()).isEqualTo(IngressOptions.DEFAULT_HTTP_PORT);
    assertThat(fromK8s.bootstrap()).isEqualTo(strimziBootstrap());
    assertThat(fromK8s.registry()).isEqualTo(k8sRegistryUrl());
    assertThat(catalogMountedAt(pod, container)).isEqualTo(fromK8s.catalog().getParent());
    assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
    assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
    for (String probe : List.of("livenessProbe", "readinessProbe")) {
      assertThat(container.path(probe).at("/httpGet/port").asInt())
          .as(probe)
          .isEqualTo(fromK8s.httpPort());
    }
    assertThat(named(kind("Service"), "lethe-ingress").at("/spec/ports/0/port").asInt())
        .isEqualTo(fromK8s.httpPort());
    assertThat(deployment.at("/spec/template/metadata/annotations/prometheus.io~1port").asInt())
        .isEqualTo(fromK8s.httpPort());
    assertThat(env(container, "JAVA_OPTS")).doesNotContain("-javaagent");
  }

  @Test
  void shouldSubmitTheLearnerJobWithItsOwnOptionsAndSettings() throws IOException {
    String dockerfile = Files.readString(deploy.resolve("docker/Dockerfile"));
    assertThat(dockerfile).contains(JOB_JAR_IN_IMAGE);
    // The job jar leaves DJL to the cluster: the Flink image puts the build's DJL in lib/.
    assertThat(dockerfile)
        .contains("-pl deploy/cluster-runtime dependency:copy-dependencies")
        .contains("COPY --from=build /out/djl-cpu/ /opt/flink/lib/");

    // Kubernetes: the operator's FlinkDeployment, application mode.
    JsonNode flink = only(kind("FlinkDeployment"));
    JsonNode job = flink.at("/spec/job");
    assertThat(job.path("jarURI").asText()).isEqualTo("local://" + JOB_JAR_IN_IMAGE);
    assertThat(job.path("entryClass").asText()).isEqualTo(ClusterJob.class.getName());
    JobSettings fromK8s = JobAccess.parseJobOptions(strings(job.path("args")));
    assertThat(fromK8s.parallelism()).isEqualTo(job.path("parallelism").asInt());
    assertThat(fromK8s.bootstrapServers()).isEqualTo(strimziBootstrap());
    assertThat(fromK8s.registryUrl()).isEqualTo(k8sRegistryUrl());
    JsonNode pod = flink.at("/spec/podTemplate/spec");
    assertThat(catalogMountedAt(pod, pod.at("/containers/0")))
        .isEqualTo(fromK8s.catalog().getParent());
    Map<String, String> k8sConf = flatten(flink.at("/spec/flinkConfiguration"));
    assertFlinkSettings(k8sConf, fromK8s);
    assertThat(k8sConf.get("env.java.default-opts.all"))
        .contains("--add-opens=java.base/java.util=ALL-UNNAMED")
        .contains("--add-opens=java.base/java.lang=ALL-UNNAMED");
    assertThat(flink.at("/spec/podTemplate/metadata/annotations/prometheus.io~1port").asText())
        .isEqualTo(k8sConf.get("metrics.reporter.prom.port"));

    // Compose: a session cluster and a one-shot `flink run`.
    JsonNode run = service("learner-job");
    List<String> command = List.of(strings(run.path("command")));
    assertThat(command.subList(0, 3)).containsExactly("flink", "run", "--detached");
    assertThat(command.get(command.indexOf("--class") + 1)).isEqualTo(ClusterJob.class.getName());
    int jar = command.indexOf(JOB_JAR_IN_IMAGE);
    assertThat(jar).as("the job jar in the flink run command").isPositive();
    JobSettings fromCompose =
        JobAccess.parseJobOptions(command.subList(jar + 1, command.size()).toArray(String[]::new));
    assertThat(kafkaAddressesInCompose()).contains(fromCompose.bootstrapServers());
    assertThat(fromCompose.registryUrl()).isEqualTo(composeRegistryUrl());
    for (String flinkService : List.of("jobmanager", "taskmanager", "learner-job")) {
      assertThat(composeMounts(flinkService))
          .as(flinkService)
          .containsEntry(fromCompose.catalog().toString(), "./catalog.yaml");
    }
    Map<String, String> composeConf =
        flatten(yaml(service("jobmanager").at("/environment/FLINK_PROPERTIES").asText()));
    assertFlinkSettings(composeConf, fromCompose);
    assertThat(command.get(command.indexOf("--jobmanager") + 1))
        .isEqualTo(composeConf.get("jobmanager.rpc.address") + ":" + composeConf.get("rest.port"));
    JsonNode scrape = scrapeJob(single("compose/prometheus.yml"), "lethe-flink");
    assertThat(scrape.at("/dns_sd_configs/0/port").asText())
        .isEqualTo(composeConf.get("metrics.reporter.prom.port"));
    List<String> names = List.of(strings(scrape.at("/dns_sd_configs/0/names")));
    assertThat(names).containsExactlyInAnyOrder("jobmanager", "taskmanager");
  }

  @Test
  void shouldLoadEveryCatalogWithTheRealLoader() {
    ModelCatalog composeCatalog = ModelCatalog.load(deploy.resolve("compose/catalog.yaml"));
    assertThat(composeCatalog.models()).isNotEmpty();
    ModelCatalog k8sCatalog =
        ModelCatalog.parse(
            named(kind("ConfigMap"), "lethe-catalog").at("/data/catalog.yaml").asText(),
            "k8s/base/catalog.yaml");
    assertThat(k8sCatalog).isEqualTo(composeCatalog);
    for (ModelSpec model : composeCatalog.models()) {
      assertThat(model.device()).as(model.name()).isEqualTo("cpu");
    }

    ModelCatalog gpuCatalog =
        ModelCatalog.parse(
            single("k8s/gpu/catalog-gpu.yaml").at("/data/catalog.yaml").asText(),
            "k8s/gpu/catalog-gpu.yaml");
    assertThat(gpuCatalog.datasets()).isEqualTo(composeCatalog.datasets());
    assertThat(gpuCatalog.models())
        .extracting(ModelSpec::name)
        .containsExactlyElementsOf(composeCatalog.models().stream().map(ModelSpec::name).toList());
    for (ModelSpec model : gpuCatalog.models()) {
      assertThat(model.device()).as(model.name()).startsWith("gpu");
    }
  }

  @Test
  void shouldRequestAGpuForEveryTaskManagerOfTheGpuVariant() throws IOException {
    JsonNode base = only(kind("FlinkDeployment"));
    JsonNode patch = single("k8s/gpu/learner-job-gpu.yaml");
    assertThat(patch.path("kind").asText()).isEqualTo("FlinkDeployment");
    assertThat(name(patch)).isEqualTo(name(base));
    String image = patch.at("/spec/image").asText();
    assertThat(image).isNotEqualTo(base.at("/spec/image").asText()).startsWith("lethe-flink-gpu:");
    String dockerfile = Files.readString(deploy.resolve("docker/Dockerfile"));
    assertThat(dockerfile).contains("AS flink-gpu").contains("pytorch-native-cu124");

    JsonNode pod = patch.at("/spec/taskManager/podTemplate/spec");
    JsonNode main = pod.at("/containers/0");
    assertThat(main.path("name").asText()).isEqualTo("flink-main-container");
    assertThat(main.at("/resources/limits/nvidia.com~1gpu").asInt()).isGreaterThanOrEqualTo(1);
    assertThat(pod.path("tolerations").findValuesAsText("key")).contains("nvidia.com/gpu");
    assertThat(pod.path("nodeSelector").size()).isPositive();
    assertThat(base.toString()).doesNotContain("nvidia.com/gpu");
  }

  @Test
  void shouldUseStrimzisV1ApiWithoutObsoleteAnnotations() {
    List<JsonNode> strimzi =
        k8s.stream()
            .filter(d -> d.path("apiVersion").asText().startsWith("kafka.strimzi.io/"))
            .toList();
    assertThat(strimzi).extracting(d -> d.path("kind").asText()).contains("Kafka", "KafkaNodePool");
    for (JsonNode doc : strimzi) {
      assertThat(doc.path("apiVersion").asText()).as(name(doc)).isEqualTo("kafka.strimzi.io/v1");
      assertThat(doc.at("/metadata/annotations").toString())
          .as("annotations of %s", name(doc))
          .doesNotContain("strimzi.io/kraft")
          .doesNotContain("strimzi.io/node-pools");
    }
  }

  /**
   * The Compose Flink services' configuration as the flink image's entry point writes it: each line
   * of FLINK_PROPERTIES is one key, split at its first colon, whose value replaces the image's. The
   * module flags must survive that, in the key Flink puts before {@code env.java.opts.all}, and be
   * those the Kubernetes FlinkDeployment sets.
   */
  @Test
  void shouldKeepFlinksModuleFlagsInCompose() {
    Map<String, String> k8sConf =
        flatten(only(kind("FlinkDeployment")).at("/spec/flinkConfiguration"));
    Set<String> k8sFlags =
        new TreeSet<>(List.of(k8sConf.get("env.java.default-opts.all").split("\\s+")));
    assertThat(k8sFlags)
        .contains("--add-opens=java.base/java.util=ALL-UNNAMED")
        .contains("--add-opens=java.base/java.lang=ALL-UNNAMED");
    for (String flinkService : List.of("jobmanager", "taskmanager", "learner-job")) {
      Map<String, String> conf = new LinkedHashMap<>();
      for (String line :
          service(flinkService).at("/environment/FLINK_PROPERTIES").asText().split("\n")) {
        if (line.isBlank()) {
          continue;
        }
        int colon = line.indexOf(':');
        assertThat(colon).as("a key: value line in FLINK_PROPERTIES: %s", line).isPositive();
        conf.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
      }
      assertThat(new TreeSet<>(List.of(conf.get("env.java.default-opts.all").split("\\s+"))))
          .as(flinkService)
          .isEqualTo(k8sFlags);
      assertThat(conf.get("env.java.opts.all")).as(flinkService).doesNotContain("--add-opens");
    }
  }

  /**
   * The Dockerfile builds from the repository alone: every file it copies from the build context is
   * in the repository and not excluded by .dockerignore, which keeps version control, build output,
   * local results, data and the Compose token file out of the context; the job jar it picks is the
   * one stream-app/job's build makes.
   */
  @Test
  void shouldBuildTheImagesFromTheRepositoryAlone() throws IOException {
    Path root = deploy.getParent();
    List<String> ignored = new ArrayList<>();
    for (String line : Files.readAllLines(root.resolve(".dockerignore"))) {
      if (!line.isBlank() && !line.startsWith("#")) {
        ignored.add(line.trim());
      }
    }
    assertThat(ignored)
        .contains(".git", "**/target", "bench-results", "data", "deploy/compose/http-tokens");
    List<PathMatcher> excluded = new ArrayList<>();
    for (String pattern : ignored) {
      excluded.add(root.getFileSystem().getPathMatcher("glob:" + pattern));
      excluded.add(root.getFileSystem().getPathMatcher("glob:" + pattern + "/**"));
    }

    String dockerfile = Files.readString(deploy.resolve("docker/Dockerfile"));
    Matcher copy = Pattern.compile("(?m)^COPY (?!--from)(\\S+) ").matcher(dockerfile);
    List<String> copied = new ArrayList<>();
    while (copy.find()) {
      copied.add(copy.group(1));
    }
    assertThat(copied).contains(".", "deploy/docker/lethe-entrypoint.sh");
    for (String source : copied) {
      assertThat(root.resolve(source)).as("COPY %s", source).exists();
      Path relative = Path.of(source).normalize();
      assertThat(excluded)
          .as("COPY %s excluded by .dockerignore", source)
          .noneMatch(m -> m.matches(relative));
    }
    assertThat(excluded).anyMatch(m -> m.matches(Path.of("stream-app/job/target/classes")));
    assertThat(excluded).anyMatch(m -> m.matches(Path.of(".git/config")));

    Matcher jobJar =
        Pattern.compile("cp stream-app/job/target/lethe-job-\\*-(\\w+)\\.jar /out/lethe-job\\.jar")
            .matcher(dockerfile);
    assertThat(jobJar.find()).as("the job jar's copy in the Dockerfile").isTrue();
    assertThat(Files.readString(root.resolve("stream-app/job/pom.xml")))
        .contains("<shadedClassifierName>" + jobJar.group(1) + "</shadedClassifierName>");
  }

  @Test
  void shouldScaleTheModelServiceDeployment() {
    JsonNode hpa = only(kind("HorizontalPodAutoscaler"));
    String target = hpa.at("/spec/scaleTargetRef/name").asText();
    JsonNode deployment = named(kind("Deployment"), target);
    assertThat(deployment.at("/spec/template/spec/containers/0/args/0").asText())
        .isEqualTo("serve");
    assertThat(deployment.at("/spec/template/spec/containers/0/resources/requests/cpu").asText())
        .as("a CPU request, which CPU utilization is measured against")
        .isNotBlank();
    assertThat(hpa.at("/spec/maxReplicas").asInt())
        .isGreaterThan(hpa.at("/spec/minReplicas").asInt());
  }

  @Test
  void shouldScrapeLethePodsAtTheirAnnotatedPortAndPath() {
    String config =
        named(kind("ConfigMap"), "lethe-prometheus").at("/data/prometheus.yml").asText();
    JsonNode job = scrapeJob(yaml(config), "lethe-pods");
    String relabels = job.path("relabel_configs").toString();
    assertThat(relabels)
        .contains("__meta_kubernetes_pod_annotation_prometheus_io_scrape")
        .contains("__meta_kubernetes_pod_annotation_prometheus_io_port")
        .contains("__meta_kubernetes_pod_annotation_prometheus_io_path");
    List<JsonNode> scraped = new ArrayList<>();
    scraped.add(named(kind("Deployment"), "lethe-model-service").at("/spec/template/metadata"));
    scraped.add(named(kind("Deployment"), "lethe-ingress").at("/spec/template/metadata"));
    scraped.add(only(kind("FlinkDeployment")).at("/spec/podTemplate/metadata"));
    for (JsonNode metadata : scraped) {
      JsonNode annotations = metadata.path("annotations");
      assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
      assertThat(annotations.path("prometheus.io/port").asInt()).isPositive();
      assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo("/metrics");
    }
  }

  /**
   * Every series the dashboard and the Prometheus rules read is named in docs/metrics.md's tables
   * (the contract that a test against real scrapes holds the code to), or is a recording rule the
   * rules file defines; a histogram's or summary's {@code _bucket}, {@code _count} and {@code _sum}
   * series belong to its family.
   */
  @Test
  void shouldQueryOnlyDocumentedMetrics() throws IOException {
    Set<String> documented = documentedMetrics();
    assertThat(documented)
        .contains("lethe_serving_model_version", "flink_jobmanager_job_numRestarts");
    JsonNode rules = single("prometheus/lethe-rules.yaml");
    Set<String> recorded = new TreeSet<>(rules.findValuesAsText("record"));
    assertThat(recorded).isNotEmpty().allMatch(r -> r.startsWith("lethe:"));

    Map<String, List<String>> queries = new LinkedHashMap<>();
    queries.put(
        "k8s/base/lethe-dashboard.json",
        single("k8s/base/lethe-dashboard.json").findValuesAsText("expr"));
    queries.put("prometheus/lethe-rules.yaml", rules.findValuesAsText("expr"));
    Set<String> used = new TreeSet<>();
    queries.forEach(
        (file, exprs) -> {
          assertThat(exprs).as("queries in %s", file).isNotEmpty();
          for (String expr : exprs) {
            Set<String> names = metricNames(expr);
            assertThat(names).as("metrics in %s", expr).isNotEmpty();
            for (String name : names) {
              assertThat(recorded.contains(name) || documented.contains(family(name, documented)))
                  .as("%s in %s (%s) is in docs/metrics.md or a recording rule", name, file, expr)
                  .isTrue();
              used.add(family(name, documented));
            }
          }
        });
    assertThat(used)
        .anyMatch(n -> n.startsWith("lethe_serving_"))
        .anyMatch(n -> n.startsWith("lethe_ingress_"))
        .anyMatch(n -> n.startsWith("flink_taskmanager_job_task_operator_"))
        .anyMatch(n -> n.startsWith("flink_jobmanager_"))
        .anyMatch(n -> n.startsWith("jvm_"));
    assertThat(used).as("recording rules the dashboard or alerts read").containsAll(recorded);
  }

  @Test
  void shouldFindMetricNamesInPromQl() {
    assertThat(
            metricNames(
                "histogram_quantile(0.99, sum by (le, model) (rate(a_seconds_bucket{model=\"x\"}[5m])))"
                    + " / ignoring (le) b:c:rate1m and on () deriv(sum(d)[15m:1m]) > 0"
                    + " or absent(e) unless max(f offset 5m) == bool 1"))
        .containsExactlyInAnyOrder("a_seconds_bucket", "b:c:rate1m", "d", "e", "f");
    assertThat(family("a_seconds_bucket", Set.of("a_seconds"))).isEqualTo("a_seconds");
    assertThat(family("a_total", Set.of("a_total"))).isEqualTo("a_total");
  }

  @Test
  void shouldGiveEveryAlertASeveritySummaryDescriptionAndRunbook() throws IOException {
    String readme = Files.readString(deploy.resolve("README.md"));
    Set<String> anchors = new TreeSet<>();
    Matcher heading = Pattern.compile("(?m)^#+ (.+)$").matcher(readme);
    while (heading.find()) {
      anchors.add(
          heading
              .group(1)
              .trim()
              .toLowerCase(Locale.ROOT)
              .replaceAll("[^a-z0-9 -]", "")
              .replace(' ', '-'));
    }
    List<JsonNode> alerts = new ArrayList<>();
    single("prometheus/lethe-rules.yaml")
        .path("groups")
        .forEach(
            g ->
                g.path("rules")
                    .forEach(
                        r -> {
                          if (r.has("alert")) {
                            alerts.add(r);
                          }
                        }));
    assertThat(alerts).hasSizeGreaterThanOrEqualTo(8);
    for (JsonNode alert : alerts) {
      String name = alert.path("alert").asText();
      assertThat(alert.at("/labels/severity").asText()).as(name).isIn("critical", "warning");
      assertThat(alert.at("/annotations/summary").asText()).as(name).isNotBlank();
      assertThat(alert.at("/annotations/description").asText()).as(name).isNotBlank();
      String runbook = alert.at("/annotations/runbook").asText();
      assertThat(runbook).as(name).startsWith("deploy/README.md#");
      assertThat(anchors)
          .as("the runbook section of %s", name)
          .contains(runbook.substring(runbook.indexOf('#') + 1));
      assertThat(readme).as("%s in the alerts table", name).contains("| `" + name + "` |");
    }
  }

  @Test
  void shouldGiveKubernetesTheSameRulesAsCompose() {
    JsonNode rules = single("prometheus/lethe-rules.yaml");
    JsonNode configMap = named(kind("ConfigMap"), "lethe-prometheus-rules");
    assertThat(yaml(configMap.at("/data/lethe-rules.yaml").asText())).isEqualTo(rules);
    String k8sConfig =
        named(kind("ConfigMap"), "lethe-prometheus").at("/data/prometheus.yml").asText();
    assertThat(yaml(k8sConfig).path("rule_files").get(0).asText()).endsWith("/lethe-rules.yaml");
    assertThat(single("compose/prometheus.yml").path("rule_files").get(0).asText())
        .isEqualTo("lethe-rules.yaml");
    assertThat(composeMounts("prometheus"))
        .containsEntry("/etc/prometheus/lethe-rules.yaml", "../prometheus/lethe-rules.yaml")
        .containsEntry("/etc/prometheus/prometheus.yml", "./prometheus.yml");
  }

  // ---- helpers ----

  private static void assertFlinkSettings(Map<String, String> conf, JobSettings job) {
    assertThat(conf).containsEntry("state.backend.type", "rocksdb");
    assertThat(conf.get("classloader.parent-first-patterns.additional")).contains("ai.djl.");
    assertThat(conf.get("metrics.reporter.prom.factory.class"))
        .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
    URI checkpoints = URI.create(conf.get("execution.checkpointing.dir"));
    assertThat(checkpoints.getScheme()).isEqualTo("file");
    assertThat(Path.of(checkpoints.getPath())).isEqualTo(job.checkpointDirectory());
  }

  /** The metric names in docs/metrics.md's two tables (the first column of each). */
  private static Set<String> documentedMetrics() throws IOException {
    String doc = Files.readString(deploy.getParent().resolve("docs/metrics.md"));
    Set<String> names = new TreeSet<>();
    for (String table : List.of("metrics-table", "external-metrics")) {
      int start = doc.indexOf("<!-- " + table + ":start -->");
      int end = doc.indexOf("<!-- " + table + ":end -->");
      assertThat(start).as("table %s in docs/metrics.md", table).isNotNegative();
      assertThat(end).as("end of table %s in docs/metrics.md", table).isGreaterThan(start);
      Matcher m =
          Pattern.compile("(?m)^\\| `([a-zA-Z_:][a-zA-Z0-9_:]*)` \\|")
              .matcher(doc.substring(start, end));
      while (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  /** The family a series belongs to: a histogram's or summary's series map to their base name. */
  static String family(String series, Set<String> documented) {
    if (documented.contains(series)) {
      return series;
    }
    for (String suffix : List.of("_bucket", "_count", "_sum")) {
      if (series.endsWith(suffix)) {
        return series.substring(0, series.length() - suffix.length());
      }
    }
    return series;
  }

  /** Identifiers in a PromQL expression that name series (not functions, labels or keywords). */
  static Set<String> metricNames(String expr) {
    String stripped =
        expr.replaceAll("\"[^\"]*\"", "")
            .replaceAll("\\{[^}]*}", "")
            .replaceAll("\\[[^]]*]", "")
            .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", "")
            .replaceAll("\\boffset\\s+\\w+", "");
    Set<String> keywords = Set.of("and", "or", "unless", "bool", "offset");
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("\\b([a-zA-Z_:][a-zA-Z0-9_:]*)\\b(\\s*\\()?").matcher(stripped);
    while (m.find()) {
      if (m.group(2) == null && !keywords.contains(m.group(1))) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  private static List<String> letheTopics() {
    List<String> names = new ArrayList<>();
    for (RecordComponent component : TopicNames.class.getRecordComponents()) {
      try {
        names.add((String) component.getAccessor().invoke(TOPICS));
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
    return names;
  }

  private static ServingSettings serveSettings(JsonNode command) {
    String[] args = withTestTokens(strings(command));
    assertThat(args[0]).isEqualTo("serve");
    return ServingAccess.parseServeOptions(Arrays.copyOfRange(args, 1, args.length));
  }

  private static IngressOptions ingressOptions(JsonNode command) {
    String[] args = withTestTokens(strings(command));
    assertThat(args[0]).isEqualTo("ingress");
    return IngressOptions.parse(Arrays.copyOfRange(args, 1, args.length));
  }

  /**
   * {@code args} with the {@code --http-token-file} (a secret of the deployment, checked by {@link
   * #shouldGiveTheHttpApisTheirTokensFromASecret}) replaced by a file this test can read.
   */
  private static String[] withTestTokens(String[] args) {
    String[] out = args.clone();
    for (int i = 0; i + 1 < out.length; i++) {
      if (out[i].equals(HttpAuthOptions.TOKEN_FILE)) {
        out[i + 1] = testTokens.toString();
      }
    }
    return out;
  }

  /** The value of {@code option} in {@code args}. */
  private static String option(String[] args, String option) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(option)) {
        return args[i + 1];
      }
    }
    throw new AssertionError("no " + option + " in " + Arrays.toString(args));
  }

  @Test
  void shouldGiveTheHttpApisTheirTokensFromASecret() {
    for (String name : List.of("model-service", "ingress")) {
      String file = option(strings(service(name).path("command")), HttpAuthOptions.TOKEN_FILE);
      assertThat(composeMounts(name)).as(name).containsEntry(file, "./http-tokens");
    }
    for (String name : List.of("lethe-model-service", "lethe-ingress")) {
      JsonNode pod = named(kind("Deployment"), name).at("/spec/template/spec");
      JsonNode container = pod.at("/containers/0");
      Path file = Path.of(option(strings(container.path("args")), HttpAuthOptions.TOKEN_FILE));
      String volume = null;
      for (JsonNode v : pod.path("volumes")) {
        if (v.at("/secret/secretName").asText().equals("lethe-http-tokens")) {
          volume = v.path("name").asText();
        }
      }
      assertThat(volume).as("%s: a volume of Secret lethe-http-tokens", name).isNotNull();
      Path mounted = null;
      for (JsonNode mount : container.path("volumeMounts")) {
        if (mount.path("name").asText().equals(volume)) {
          mounted = Path.of(mount.path("mountPath").asText());
        }
      }
      assertThat(mounted)
          .as("%s mounts the secret at the token file's directory", name)
          .isEqualTo(file.getParent());
    }
  }

  private static String strimziBootstrap() {
    JsonNode kafka = only(kind("Kafka"));
    JsonNode plain = kafka.at("/spec/kafka/listeners/0");
    assertThat(plain.path("tls").asBoolean()).isFalse();
    return name(kafka) + "-kafka-bootstrap:" + plain.path("port").asInt();
  }

  private static String k8sRegistryUrl() {
    JsonNode registry = named(kind("Service"), "schema-registry");
    return "http://" + name(registry) + ":" + registry.at("/spec/ports/0/port").asInt();
  }

  private static String composeRegistryUrl() {
    String listeners =
        service("schema-registry").at("/environment/SCHEMA_REGISTRY_LISTENERS").asText();
    return "http://schema-registry:" + URI.create(listeners).getPort();
  }

  private static List<String> kafkaAddressesInCompose() {
    String advertised = service("kafka").at("/environment/KAFKA_ADVERTISED_LISTENERS").asText();
    List<String> addresses = new ArrayList<>();
    for (String listener : advertised.split(",")) {
      addresses.add(listener.substring(listener.indexOf("://") + 3));
    }
    return addresses;
  }

  /** Container path -> host path of a compose service's bind mounts. */
  private static Map<String, String> composeMounts(String name) {
    Map<String, String> mounts = new LinkedHashMap<>();
    for (JsonNode volume : service(name).path("volumes")) {
      String[] parts = volume.asText().split(":");
      mounts.put(parts[1], parts[0]);
    }
    return mounts;
  }

  /** Where a pod mounts the lethe-catalog ConfigMap in its container. */
  private static Path catalogMountedAt(JsonNode pod, JsonNode container) {
    String volume = null;
    for (JsonNode v : pod.path("volumes")) {
      if (v.at("/configMap/name").asText().equals("lethe-catalog")) {
        volume = v.path("name").asText();
      }
    }
    assertThat(volume).as("a volume of ConfigMap lethe-catalog").isNotNull();
    for (JsonNode mount : container.path("volumeMounts")) {
      if (mount.path("name").asText().equals(volume)) {
        return Path.of(mount.path("mountPath").asText());
      }
    }
    throw new AssertionError("volume " + volume + " is not mounted");
  }

  private static String env(JsonNode container, String name) {
    for (JsonNode e : container.path("env")) {
      if (e.path("name").asText().equals(name)) {
        return e.path("value").asText();
      }
    }
    throw new AssertionError("no environment variable " + name);
  }

  private static JsonNode scrapeJob(JsonNode prometheus, String name) {
    for (JsonNode job : prometheus.path("scrape_configs")) {
      if (job.path("job_name").asText().equals(name)) {
        return job;
      }
    }
    throw new AssertionError("no scrape job " + name);
  }

  private static JsonNode service(String name) {
    JsonNode service = compose.path("services").path(name);
    assertThat(service.isObject()).as("compose service %s", name).isTrue();
    return service;
  }

  private static List<JsonNode> kind(String kind) {
    return k8s.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
  }

  private static JsonNode named(List<JsonNode> docs, String name) {
    return docs.stream()
        .filter(d -> name(d).equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no manifest named " + name));
  }

  private static JsonNode only(List<JsonNode> docs) {
    assertThat(docs).hasSize(1);
    return docs.get(0);
  }

  private static String name(JsonNode doc) {
    return doc.path("metadata").path("name").asText();
  }

  private static JsonNode single(String relative) {
    List<JsonNode> docs = manifests.get(deploy.resolve(relative));
    assertThat(docs).as(relative).isNotNull().hasSize(1);
    return docs.get(0);
  }

  private static String[] strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values.toArray(String[]::new);
  }

  /** A YAML map as text values (Flink configuration: nested keys joined with dots). */
  private static Map<String, String> flatten(JsonNode node) {
    Map<String, String> out = new LinkedHashMap<>();
    flatten("", node, out);
    return out;
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
    if (node.isObject()) {
      node.fields()
          .forEachRemaining(
              e ->
                  flatten(
                      prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
                      e.getValue(),
                      out));
    } else {
      out.put(prefix, node.asText());
    }
  }

  /** All documents of a YAML text, with aliases and merge keys resolved as Compose does. */
  private static List<JsonNode> yamlDocuments(String text) {
    List<JsonNode> docs = new ArrayList<>();
    for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(text)) {
      if (doc != null) {
        docs.add(JSON.valueToTree(doc));
      }
    }
    return docs;
  }

  private static JsonNode yaml(String text) {
    List<JsonNode> docs = yamlDocuments(text);
    assertThat(docs).hasSize(1);
    return docs.get(0);
  }

  private static HttpResponse<String> get(HttpClient http, int port, String path)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static boolean isManifest(Path file) {
    String name = file.getFileName().toString();
    return Files.isRegularFile(file)
        && (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json"));
  }

  private static List<JsonNode> parse(Path file) throws IOException {
    if (file.toString().endsWith(".json")) {
      return List.of(JSON.readTree(file.toFile()));
    }
    return yamlDocuments(Files.readString(file));
  }
}
