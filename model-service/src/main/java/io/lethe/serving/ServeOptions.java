package io.lethe.serving;

import io.lethe.schemas.cli.CommandLine;
import java.time.Duration;
import java.util.List;

/**
 * The command line of {@code lethe serve}, parsed into {@link ServingSettings}; errors name the
 * option.
 */
final class ServeOptions {
  static final String USAGE =
      String.join(
          "\n",
          "usage: lethe serve --bootstrap HOST:PORT --registry URL [--port N] [--host ADDR]",
          "                   [--topic NAME] [--max-body-bytes N] [--max-instances N]",
          "                   [--intra-op-threads N] [--status-topic NAME]",
          "                   [--learner-grace-seconds N]",
          "  --bootstrap HOST:PORT   Kafka bootstrap servers",
          "  --registry URL          Confluent-compatible schema registry, e.g. http://host:8081",
          "  --port N                HTTP port (default "
              + ServingSettings.DEFAULT_PORT
              + ", 0 = any free port)",
          "  --host ADDR             address to bind (default 0.0.0.0)",
          "  --topic NAME            the models topic (default lethe.models)",
          "  --max-body-bytes N      largest predict request body (default "
              + ServingSettings.DEFAULT_MAX_BODY_BYTES
              + ")",
          "  --max-instances N       most instances per predict request (default "
              + ServingSettings.DEFAULT_MAX_INSTANCES
              + ")",
          "  --intra-op-threads N    PyTorch threads per scoring call (default 1)",
          "  --status-topic NAME     the learner job's heartbeats (default lethe.learner.status)",
          "  --learner-grace-seconds N",
          "                          time a checkpoint may take before a learner without fresh",
          "                          heartbeats shows as not running (default "
              + ServingSettings.DEFAULT_LEARNER_GRACE.toSeconds()
              + ")");

  private static final List<String> KNOWN =
      List.of(
          "--bootstrap",
          "--registry",
          "--port",
          "--host",
          "--topic",
          "--max-body-bytes",
          "--max-instances",
          "--intra-op-threads",
          "--status-topic",
          "--learner-grace-seconds");

  private ServeOptions() {}

  /**
   * Parses {@code args}.
   *
   * @throws CommandLine.UsageException naming the option for a missing, unknown, repeated or bad
   *     option
   */
  static ServingSettings parse(String... args) {
    CommandLine line = CommandLine.parse(args, KNOWN, List.of());
    String bootstrap = line.bootstrapServers("--bootstrap");
    String registry = line.httpUrl("--registry");
    ServingSettings defaults = ServingSettings.defaults(bootstrap, registry);
    long port = line.number("--port", defaults.port(), 0, 65535);
    long maxBody =
        line.number("--max-body-bytes", defaults.maxBodyBytes(), 1024, Integer.MAX_VALUE - 8);
    long maxInstances =
        line.number("--max-instances", defaults.maxInstances(), 1, Integer.MAX_VALUE);
    long threads = line.number("--intra-op-threads", defaults.intraOpThreads(), 1, 1024);
    long grace =
        line.number(
            "--learner-grace-seconds",
            defaults.learnerGrace().toSeconds(),
            0,
            ServingSettings.MAX_LEARNER_GRACE.toSeconds());
    return new ServingSettings(
        bootstrap,
        registry,
        line.getOrDefault("--topic", defaults.modelsTopic()),
        line.getOrDefault("--host", defaults.host()),
        (int) port,
        maxBody,
        (int) maxInstances,
        (int) threads,
        line.getOrDefault("--status-topic", defaults.learnerStatusTopic()),
        Duration.ofSeconds(grace));
  }
}
