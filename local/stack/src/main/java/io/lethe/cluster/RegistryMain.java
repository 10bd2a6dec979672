package io.lethe.cluster;

import io.lethe.cli.Cli;
import io.lethe.cli.KafkaConfigOption;
import io.lethe.cli.StandardOptions;
import io.lethe.cli.Values;
import io.lethe.local.registry.EmbeddedSchemaRegistry;
import io.lethe.local.registry.RegistryTls;
import io.lethe.local.registry.RegistryUsers;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * Lethe's Confluent-compatible schema registry in a JVM of its own, storing its schemas in Kafka's
 * {@code _schemas} topic: the local cluster's stand-in for a Confluent registry. {@code
 * RegistryMain --bootstrap HOST:PORT --port N [--users-file FILE] [--tls-keystore FILE
 * --tls-keystore-password-file FILE]}; runs until SIGTERM.
 */
@Command(
    name = "registry",
    description =
        "Lethe's schema registry, storing its schemas in Kafka's _schemas topic, until stopped.")
public final class RegistryMain implements Callable<Integer> {
  @Mixin StandardOptions standard;

  @Option(
      names = "--bootstrap",
      required = true,
      paramLabel = "HOST:PORT",
      converter = Values.Bootstrap.class,
      description = "Kafka bootstrap servers.")
  String bootstrap;

  @Option(
      names = "--port",
      paramLabel = "N",
      converter = Values.FixedPort.class,
      defaultValue = "8282",
      description = "HTTP port.")
  int port;

  @Mixin KafkaConfigOption kafkaConfig;

  @Option(
      names = "--users-file",
      paramLabel = "FILE",
      converter = Users.class,
      description =
          "Serve only these users, with HTTP basic authentication: 'name: password,role' per line"
              + " (Confluent's basic-auth password file; roles read, write, admin). Default: open.")
  RegistryUsers users;

  @Option(
      names = "--tls-keystore",
      paramLabel = "FILE",
      description =
          "Serve HTTPS with the key and certificate in this PKCS12 keystore (its subject"
              + " alternative names must include 127.0.0.1); needs --tls-keystore-password-file.")
  Path tlsKeystore;

  @Option(
      names = "--tls-keystore-password-file",
      paramLabel = "FILE",
      description = "A file whose first line is the keystore's password.")
  Path tlsPasswordFile;

  @Spec CommandSpec spec;

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /**
   * Runs the registry with {@code args} until the process is stopped.
   *
   * @return the exit code
   */
  public static int run(String... args) {
    return Cli.run(new RegistryMain(), args);
  }

  @Override
  public Integer call() throws InterruptedException {
    EmbeddedSchemaRegistry registry =
        EmbeddedSchemaRegistry.start(
            bootstrap,
            kafkaConfig.config().kafkaProperties(),
            EmbeddedSchemaRegistry.DEFAULT_TOPIC,
            port,
            users,
            tls());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  registry.close();
                  stopped.countDown();
                },
                "registry-shutdown"));
    System.out.println(
        "registry: serving "
            + registry.url()
            + " from Kafka at "
            + bootstrap
            + (users == null ? " to anyone" : " to the users in " + users.source()));
    stopped.await();
    return Cli.OK;
  }

  /**
   * The TLS context of {@code --tls-keystore}, or null without it.
   *
   * @throws ParameterException naming the option if only one of the two is given or the keystore
   *     does not open
   */
  SSLContext tls() {
    if ((tlsKeystore == null) != (tlsPasswordFile == null)) {
      throw new ParameterException(
          spec.commandLine(),
          "--tls-keystore and --tls-keystore-password-file go together; give both or neither");
    }
    if (tlsKeystore == null) {
      return null;
    }
    try {
      return RegistryTls.fromPkcs12(tlsKeystore, tlsPasswordFile);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(), "Invalid value for option '--tls-keystore': " + e.getMessage());
    }
  }

  /** Reads the users file while parsing; the message names the file and line, never a password. */
  static final class Users implements ITypeConverter<RegistryUsers> {
    @Override
    public RegistryUsers convert(String text) {
      try {
        return RegistryUsers.load(Path.of(text));
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
