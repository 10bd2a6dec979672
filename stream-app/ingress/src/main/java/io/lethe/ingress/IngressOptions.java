package io.lethe.ingress;

import io.lethe.cli.BearerTokens;
import io.lethe.cli.Cli;
import io.lethe.cli.KafkaClientConfig;
import java.nio.file.Path;
import picocli.CommandLine.ParameterException;

/**
 * The command line of {@code lethe ingress}, parsed and checked ({@link IngressMain} declares the
 * options); every error names the option.
 *
 * @param catalog model catalog YAML file
 * @param bootstrap Kafka bootstrap servers, {@code HOST:PORT[,HOST:PORT...]}
 * @param registry schema registry base URL
 * @param kafkaConfig Kafka client properties ({@code --kafka-config}), also the registry client's
 * @param httpPort status endpoint port ({@code --port}), 0 for a free port, -1 for none
 * @param host address the status endpoint binds ({@code --host})
 * @param advertisedHost host name other instances use to reach this one's status endpoint
 * @param stateDir directory of the local state stores
 * @param applicationId Kafka Streams application id
 * @param settings the ingress settings
 * @param signingKey Ed25519 private key file that signs receipts ({@code --signing-key}), or null
 * @param httpTokens the bearer tokens the status endpoint requires ({@code --http-token-file}), or
 *     null if it is open ({@code --insecure-http}) or off
 */
public record IngressOptions(
    Path catalog,
    String bootstrap,
    String registry,
    KafkaClientConfig kafkaConfig,
    int httpPort,
    String host,
    String advertisedHost,
    Path stateDir,
    String applicationId,
    IngressSettings settings,
    Path signingKey,
    BearerTokens httpTokens) {

  /** Default port of the status endpoint. */
  public static final int DEFAULT_HTTP_PORT = 8090;

  /**
   * Parses {@code args} as {@code lethe ingress} does, without starting anything.
   *
   * @throws ParameterException naming the option for a missing, unknown or bad option
   */
  public static IngressOptions parse(String... args) {
    IngressMain command = new IngressMain();
    Cli.parse(Cli.commandLine(command), args);
    return command.options();
  }
}
