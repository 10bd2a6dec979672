package io.lethe.ingress.verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lethe.cli.Cli;
import io.lethe.cli.KafkaClientConfig;
import io.lethe.cli.KafkaConfigOption;
import io.lethe.cli.StandardOptions;
import io.lethe.cli.Values;
import io.lethe.ingress.http.ErasureStatusServer;
import io.lethe.ingress.receipts.ReceiptJson;
import io.lethe.records.ErasureReceipt;
import io.lethe.records.ModelErasure;
import io.lethe.records.ReceiptStatus;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.schemas.serde.AvroSerdes;
import io.lethe.schemas.snapshot.TrustedKeys;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code lethe verify-receipt}: checks an erasure receipt's Ed25519 signature against trusted
 * public keys and prints what the receipt proves. The receipt comes from a JSON file (the erasure
 * status endpoint's answer for a finished request, {@link ReceiptJson}), from the status endpoint
 * itself, or from {@code lethe.receipts} (the latest receipt of the request id).
 */
@Command(
    name = "lethe verify-receipt",
    description = {
      "Checks the signature of an erasure receipt against trusted Ed25519 public keys and prints"
          + " what the receipt proves: the request, its scope, and per model the guarantee and the"
          + " first version without the data.",
      "The receipt comes from one of: a JSON file (--file: the erasure status endpoint's answer"
          + " for a finished request), the status endpoint (--status-url), or the receipts topic"
          + " (--bootstrap)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the receipt is signed by a trusted key and unchanged",
      "1:it is unsigned, signed by an unknown key or changed after signing, or was not found",
      "2:a bad command line or input file"
    })
public final class VerifyReceiptMain implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CLIENT_ID = "lethe-verify-receipt";

  @Spec CommandSpec spec;
  @Mixin StandardOptions standard;

  @Option(
      names = "--trusted-keys",
      required = true,
      paramLabel = "PATH",
      split = ",",
      description =
          "The Ed25519 public keys a receipt may be signed with: PEM files, or directories of"
              + " *.pub files (comma-separated); e.g. the .pub file that `lethe keys generate`"
              + " wrote beside the ingress's --signing-key.")
  List<Path> trustedKeys;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  /** Where the receipt comes from: exactly one. */
  static final class Source {
    @Option(
        names = "--file",
        paramLabel = "FILE",
        description =
            "A receipt as JSON: the erasure status endpoint's answer for a COMPLETED or REJECTED"
                + " request, saved as it came.")
    Path file;

    @Option(
        names = "--status-url",
        paramLabel = "URL",
        converter = Values.HttpUrl.class,
        description =
            "The erasure status endpoint, e.g. http://localhost:8090: fetches"
                + " /v1/erasures/<--request-id>.")
    String statusUrl;

    @Option(
        names = "--bootstrap",
        paramLabel = "HOST:PORT",
        converter = Values.Bootstrap.class,
        description =
            "Kafka bootstrap servers: reads the latest receipt of --request-id from the receipts"
                + " topic (with --registry).")
    String bootstrap;
  }

  @Option(
      names = "--request-id",
      paramLabel = "ID",
      description =
          "The erasure request whose receipt to check; required with --status-url and"
              + " --bootstrap, and with --file it must match the receipt.")
  String requestId;

  @Option(
      names = "--registry",
      paramLabel = "URL",
      converter = Values.HttpUrl.class,
      description =
          "With --bootstrap: the schema registry (or schema.registry.url in the --kafka-config"
              + " file).")
  String registry;

  @Mixin KafkaConfigOption kafkaConfig;

  @Option(
      names = "--topic",
      paramLabel = "NAME",
      defaultValue = "lethe.receipts",
      description = "With --bootstrap: the receipts topic.")
  String topic;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = Values.PositiveDuration.class,
      defaultValue = "30s",
      description = "How long to wait for the status endpoint or to read the receipts topic.")
  Duration timeout;

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /**
   * Runs {@code lethe verify-receipt} with {@code args}.
   *
   * @return the exit code: 0 verified, 1 not verified, 2 a bad command line
   */
  public static int run(String... args) {
    return Cli.run(new VerifyReceiptMain(), args);
  }

  /** As {@link #run(String...)}, printing to {@code out} and {@code err}. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return Cli.run(new VerifyReceiptMain(), args, out, err);
  }

  /** Why a receipt could not be had or checked: one line for the user, exit code 1. */
  private static final class NotVerified extends Exception {
    NotVerified(String message) {
      super(message);
    }
  }

  @Override
  public Integer call() {
    checkCombination();
    TrustedKeys keys;
    try {
      keys = TrustedKeys.load(trustedKeys);
    } catch (IllegalArgumentException | UncheckedIOException e) {
      throw new ParameterException(
          spec.commandLine(), "Invalid value for option '--trusted-keys': " + e.getMessage());
    }
    PrintWriter err = spec.commandLine().getErr();
    try {
      ErasureReceipt receipt = receipt();
      if (requestId != null && !requestId.equals(receipt.getRequestId())) {
        // a validly signed receipt of another request, e.g. a copy keyed or served under this id
        throw new NotVerified(
            "the receipt "
                + where()
                + " is for erasure request '"
                + receipt.getRequestId()
                + "', not '"
                + requestId
                + "'");
      }
      verify(receipt, keys);
      print(receipt);
      return Cli.OK;
    } catch (NotVerified e) {
      err.println(spec.qualifiedName() + ": " + e.getMessage());
      err.flush();
      return Cli.FAILED;
    }
  }

  private void checkCombination() {
    if (source.bootstrap == null
        && (registry != null || kafkaConfig.config().source().isPresent())) {
      throw new ParameterException(
          spec.commandLine(),
          (registry != null ? "--registry" : KafkaConfigOption.NAME)
              + " is only used with --bootstrap");
    }
    if (source.file == null && requestId == null) {
      throw new ParameterException(
          spec.commandLine(),
          "Missing required option: '--request-id=ID' (with "
              + (source.bootstrap != null ? "--bootstrap" : "--status-url")
              + ")");
    }
  }

  private ErasureReceipt receipt() throws NotVerified {
    if (source.file != null) {
      return fromFile(source.file);
    }
    if (source.statusUrl != null) {
      return fromStatusEndpoint(source.statusUrl);
    }
    return fromTopic();
  }

  /** Where the receipt came from, for messages. */
  private String where() {
    if (source.file != null) {
      return "in " + source.file;
    }
    return source.statusUrl != null
        ? "at " + source.statusUrl
        : "on " + topic + " under key '" + requestId + "'";
  }

  private ErasureReceipt fromFile(Path file) {
    ErasureReceipt receipt;
    try {
      receipt = ReceiptJson.read(JSON.readTree(Files.readString(file, StandardCharsets.UTF_8)));
    } catch (IOException | IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(),
          "Invalid value for option '--file': "
              + file
              + " is not a receipt: "
              + firstLine(e.getMessage()));
    }
    return receipt;
  }

  private ErasureReceipt fromStatusEndpoint(String base) throws NotVerified {
    String encoded = URLEncoder.encode(requestId, StandardCharsets.UTF_8).replace("+", "%20");
    URI uri;
    try {
      uri = URI.create(base.replaceAll("/+$", "") + ErasureStatusServer.PATH + encoded);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(), "Invalid value for option '--status-url': " + e.getMessage());
    }
    HttpResponse<String> response;
    try {
      response =
          HttpClient.newBuilder()
              .connectTimeout(timeout)
              .followRedirects(HttpClient.Redirect.NORMAL)
              .build()
              .send(
                  HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                  HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new NotVerified("cannot reach " + uri + ": " + describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NotVerified("interrupted while fetching " + uri);
    }
    JsonNode body;
    try {
      body = JSON.readTree(response.body());
    } catch (JsonProcessingException e) {
      throw new NotVerified(
          "GET " + uri + " answered " + response.statusCode() + " without a JSON body");
    }
    if (response.statusCode() != 200) {
      JsonNode error = body.get("error");
      throw new NotVerified(
          "GET "
              + uri
              + " answered "
              + response.statusCode()
              + (error != null ? ": " + error.asText() : ""));
    }
    String status = body.path("status").asText();
    if (!status.equals(ReceiptStatus.COMPLETED.name())
        && !status.equals(ReceiptStatus.REJECTED.name())) {
      throw new NotVerified(
          "erasure request '" + requestId + "' is " + status + ": it has no receipt yet");
    }
    try {
      return ReceiptJson.read(body);
    } catch (IllegalArgumentException e) {
      throw new NotVerified("GET " + uri + " answered no receipt: " + e.getMessage());
    }
  }

  private ErasureReceipt fromTopic() throws NotVerified {
    KafkaClientConfig config = kafkaConfig.config();
    SchemaRegistryClient registryClient;
    try {
      registryClient = SchemaRegistryClient.create(registry, config.properties());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(),
          "Invalid value for option '--registry' (or schema.registry.url in "
              + KafkaConfigOption.NAME
              + "): "
              + e.getMessage());
    }
    try (registryClient) {
      byte[] latest = latestValue(config);
      if (latest == null) {
        // the status endpoint may show a finished request just before its receipt is committed
        throw new NotVerified(
            "no committed receipt of erasure request '" + requestId + "' on " + topic + " yet");
      }
      Deserializer<ErasureReceipt> values =
          AvroSerdes.forValues(ErasureReceipt.class, registryClient).deserializer();
      try {
        return values.deserialize(topic, latest);
      } catch (KafkaException e) {
        throw new NotVerified(
            "the latest record of erasure request '"
                + requestId
                + "' on "
                + topic
                + " is not a receipt: "
                + e.getMessage());
      }
    }
  }

  /**
   * The value of the latest record keyed by the request id on the receipts topic, read to its end
   * (committed records only); the other records are skipped undecoded.
   */
  private byte[] latestValue(KafkaClientConfig config) throws NotVerified {
    Map<String, Object> properties =
        config.layer(
            source.bootstrap,
            CLIENT_ID,
            Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                    (int) Math.min(Integer.MAX_VALUE, timeout.toMillis())));
    KafkaConsumer<String, byte[]> consumer;
    try {
      consumer =
          config.create(
              "consumer " + properties.get(ConsumerConfig.CLIENT_ID_CONFIG),
              () ->
                  new KafkaConsumer<>(
                      properties, new StringDeserializer(), new ByteArrayDeserializer()));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    try (consumer) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      if (partitions.isEmpty()) {
        throw new NotVerified("topic " + topic + " does not exist at " + source.bootstrap);
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + timeout.toNanos();
      byte[] latest = null;
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new NotVerified("could not read " + topic + " to its end within " + timeout);
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          if (requestId.equals(record.key()) && record.value() != null) {
            latest = record.value();
          }
        }
      }
      return latest;
    } catch (KafkaException e) {
      throw new NotVerified(
          "cannot read " + topic + " at " + source.bootstrap + ": " + describe(e));
    }
  }

  private static void verify(ErasureReceipt receipt, TrustedKeys keys) throws NotVerified {
    String what = "the receipt of erasure request '" + receipt.getRequestId() + "'";
    switch (keys.check(receipt)) {
      case VALID -> {}
      case UNSIGNED ->
          throw new NotVerified(
              what + " is not signed (the ingress that issued it had no --signing-key)");
      case UNKNOWN_KEY ->
          throw new NotVerified(
              what
                  + " is signed by key "
                  + receipt.getSigningKeyId()
                  + ", which is not among the trusted keys "
                  + keys.keyIds());
      case BAD_SIGNATURE ->
          throw new NotVerified(
              what
                  + " does not match its signature by key "
                  + receipt.getSigningKeyId()
                  + ": it was changed after it was signed");
    }
  }

  private void print(ErasureReceipt receipt) {
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "Verified: the receipt of erasure request '"
            + receipt.getRequestId()
            + "' is signed by trusted key "
            + receipt.getSigningKeyId()
            + " and unchanged.");
    out.println(
        "  request:   scope "
            + receipt.getScope()
            + ", requested by "
            + receipt.getRequester()
            + " at "
            + receipt.getRequestedAt());
    out.println(
        "  status:    "
            + receipt.getStatus()
            + " at "
            + receipt.getCompletedAt()
            + ", "
            + receipt.getLatencyMs()
            + " ms after the request"
            + (receipt.getReason() != null ? " (" + receipt.getReason() + ")" : ""));
    if (receipt.getModels().isEmpty()) {
      out.println(
          receipt.getStatus() == ReceiptStatus.REJECTED
              ? "  models:    none; the request was rejected before it reached a model"
              : "  models:    none had learned the data");
    }
    for (ModelErasure model : receipt.getModels()) {
      out.println(
          "  model "
              + model.getModel()
              + ": "
              + model.getGuarantee()
              + (model.getFirstVersionWithout() != null
                  ? ", first version without the data " + model.getFirstVersionWithout()
                  : ", no version without the data")
              + ", applied at "
              + model.getAppliedAt()
              + (model.getReason() != null ? " (" + model.getReason() + ")" : ""));
    }
    out.flush();
  }

  /** The exception's message, or its kind when it has none (e.g. a refused connection). */
  private static String describe(Exception e) {
    if (e.getMessage() != null) {
      return firstLine(e.getMessage());
    }
    return e instanceof java.net.ConnectException
        ? "connection refused"
        : e.getClass().getSimpleName();
  }

  private static String firstLine(String message) {
    String text = String.valueOf(message).strip();
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
