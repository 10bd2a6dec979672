package io.lethe.serving;

import io.lethe.cli.Cli;
import io.lethe.cli.HttpAuthOptions;
import io.lethe.cli.KafkaConfigOption;
import io.lethe.cli.KafkaOptions;
import io.lethe.cli.Values;
import io.lethe.learners.analytic.BufferPrecision;
import io.lethe.learners.data.FashionMnist;
import io.lethe.learners.data.LabeledSet;
import io.lethe.serving.console.ConsoleSettings;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * The options of {@code lethe serve}, checked while they are parsed; {@link #settings()} turns them
 * into {@link ServingSettings}.
 */
final class ServeOptions {
  @Mixin KafkaOptions kafka;
  @Mixin KafkaConfigOption kafkaConfig;
  @Mixin HttpAuthOptions httpAuth;

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(
      names = "--port",
      paramLabel = "N",
      converter = Values.Port.class,
      defaultValue = "" + ServingSettings.DEFAULT_PORT,
      description = "HTTP port (0: any free port).")
  int port;

  @Option(
      names = "--host",
      paramLabel = "ADDR",
      defaultValue = "127.0.0.1",
      description =
          "Address to bind (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 for every"
              + " interface, as in a container).")
  String host;

  @Option(
      names = "--topic",
      paramLabel = "NAME",
      defaultValue = "lethe.models",
      description = "The models topic.")
  String topic;

  @Option(
      names = "--max-body-bytes",
      paramLabel = "N",
      converter = BodyBytes.class,
      defaultValue = "" + ServingSettings.DEFAULT_MAX_BODY_BYTES,
      description = "Largest predict request body.")
  int maxBodyBytes;

  @Option(
      names = "--max-instances",
      paramLabel = "N",
      converter = Values.Positive.class,
      defaultValue = "" + ServingSettings.DEFAULT_MAX_INSTANCES,
      description = "Most instances per predict request.")
  int maxInstances;

  @Option(
      names = "--intra-op-threads",
      paramLabel = "N",
      converter = Threads.class,
      defaultValue = "1",
      description = "PyTorch threads per scoring call.")
  int intraOpThreads;

  @Option(
      names = "--max-batch",
      paramLabel = "N",
      converter = MaxBatch.class,
      defaultValue = "64",
      description =
          "Most rows scored in one product: concurrent requests for the same model version are"
              + " batched together (1: no batching).")
  int maxBatch;

  @Option(
      names = "--batch-wait-micros",
      paramLabel = "N",
      converter = BatchWait.class,
      defaultValue = "200",
      description =
          "Microseconds the first request of a batch waits for concurrent ones to join, only"
              + " while others are on their way (0-100000).")
  int batchWaitMicros;

  @Option(
      names = "--buffer-precision",
      paramLabel = "float32|float64",
      converter = Precision.class,
      defaultValue = "float32",
      description =
          "Precision of the analytic model's buffer layer (float64: bit-identical scores to the"
              + " learner; float32: the same labels, faster).")
  BufferPrecision bufferPrecision;

  @Option(
      names = "--status-topic",
      paramLabel = "NAME",
      defaultValue = "lethe.learner.status",
      description = "The learner job's heartbeats.")
  String statusTopic;

  @Option(
      names = "--learner-grace-seconds",
      paramLabel = "N",
      converter = GraceSeconds.class,
      defaultValue = "10",
      description =
          "Time a checkpoint may take before a learner without fresh heartbeats shows as not"
              + " running (0-300).")
  int learnerGraceSeconds;

  @Option(
      names = "--trusted-keys",
      paramLabel = "PATH",
      split = ",",
      description =
          "Serve only snapshots signed by one of these Ed25519 public keys: PEM files, or"
              + " directories of *.pub files (comma-separated). Default: snapshots are not"
              + " authenticated.")
  List<Path> trustedKeys = List.of();

  @Option(
      names = "--receipts-topic",
      paramLabel = "NAME",
      defaultValue = "lethe.receipts",
      description = "Erasure receipts, for the console.")
  String receiptsTopic;

  @Option(
      names = "--erasures-topic",
      paramLabel = "NAME",
      defaultValue = "lethe.erasures",
      description = "Validated erasure requests, for the console.")
  String erasuresTopic;

  @Option(
      names = "--deadletter-topic",
      paramLabel = "NAME",
      defaultValue = "lethe.deadletter",
      description = "Dead letters, for the console (only their reason headers are read).")
  String deadLetterTopic;

  @Option(
      names = "--eval-set",
      paramLabel = "DIR",
      description =
          "A directory with Fashion-MNIST's test split (t10k-*-ubyte.gz): the console scores each"
              + " newly served version on its first rows and charts the accuracy. Default: no"
              + " accuracy.")
  Path evalSet;

  /**
   * Parses {@code args} as {@code lethe serve} does, without serving.
   *
   * @throws picocli.CommandLine.ParameterException naming the option
   */
  static ServingSettings parse(String... args) {
    ServeMain command = new ServeMain();
    Cli.parse(Cli.commandLine(command), args);
    return command.options.settings();
  }

  /**
   * The service's settings.
   *
   * @throws picocli.CommandLine.ParameterException without {@code --http-token-file} or {@code
   *     --insecure-http}
   */
  ServingSettings settings() {
    return new ServingSettings(
        kafka.bootstrap(),
        kafka.registry(),
        topic,
        host,
        port,
        maxBodyBytes,
        maxInstances,
        intraOpThreads,
        statusTopic,
        Duration.ofSeconds(learnerGraceSeconds),
        kafkaConfig.config(),
        trustedKeys,
        httpAuth.tokens(command.commandLine()).orElse(null),
        new ScoringSettings(maxBatch, Duration.ofNanos(1_000L * batchWaitMicros), bufferPrecision));
  }

  /**
   * The console's settings; reads the evaluation set if one is given.
   *
   * @throws picocli.CommandLine.ParameterException naming {@code --eval-set} if it cannot be read
   */
  ConsoleSettings consoleSettings() {
    ConsoleSettings defaults = ConsoleSettings.defaults();
    ConsoleSettings console =
        new ConsoleSettings(
            receiptsTopic,
            erasuresTopic,
            deadLetterTopic,
            defaults.maxErasures(),
            defaults.sampleInterval(),
            defaults.historyPoints(),
            null,
            defaults.maxEvaluationRows());
    if (evalSet == null) {
      return console;
    }
    LabeledSet test;
    try {
      test = FashionMnist.loadTest(evalSet);
    } catch (IllegalStateException | UncheckedIOException e) {
      throw new ParameterException(
          command.commandLine(), "Invalid value for option '--eval-set': " + e.getMessage());
    }
    // keep only the rows the console scores
    int rows = Math.min(test.size(), console.maxEvaluationRows());
    return console.withEvaluation(test.select(IntStream.range(0, rows).toArray()));
  }

  /** A body limit: at least 1 KiB, and an array can hold it. */
  static final class BodyBytes extends Values.IntRange {
    BodyBytes() {
      super(1024, Integer.MAX_VALUE - 8);
    }
  }

  /** PyTorch intra-op threads. */
  static final class Threads extends Values.IntRange {
    Threads() {
      super(1, 1024);
    }
  }

  /** Rows per product, as {@link ScoringSettings#MAX_BATCH} allows. */
  static final class MaxBatch extends Values.IntRange {
    MaxBatch() {
      super(1, 4096);
    }
  }

  /** The leader's wait, as {@link ScoringSettings#BATCH_WAIT_MICROS} allows. */
  static final class BatchWait extends Values.IntRange {
    BatchWait() {
      super(0, 100_000);
    }
  }

  /** {@code float32} or {@code float64}. */
  static final class Precision implements ITypeConverter<BufferPrecision> {
    @Override
    public BufferPrecision convert(String value) {
      if (!ScoringSettings.BUFFER_PRECISION.allows(value)) {
        throw new TypeConversionException("'" + value + "' is not float32 or float64");
      }
      return ScoringSettings.precision(value);
    }
  }

  /** Up to {@link ServingSettings#MAX_LEARNER_GRACE}. */
  static final class GraceSeconds extends Values.IntRange {
    GraceSeconds() {
      super(0, (int) ServingSettings.MAX_LEARNER_GRACE.toSeconds());
    }
  }
}
