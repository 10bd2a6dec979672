package io.lethe.serving;

import io.lethe.cli.Cli;
import io.lethe.cli.ConfigFileOption;
import io.lethe.cli.KafkaConfigOption;
import io.lethe.cli.StandardOptions;
import io.lethe.schemas.registry.RegistryClientSettings;
import io.lethe.serving.console.ConsoleSettings;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code lethe serve}: runs the model service until the process is stopped. */
@Command(
    name = "lethe serve",
    description =
        "Serves predictions from the latest snapshots on the models topic over HTTP (GET"
            + " /v1/models, POST /v1/models/{model}:predict, /readyz, /metrics) and the Lethe console"
            + " (/console/) until stopped.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:stopped",
      "1:the service cannot start",
      "2:a bad command line, --config or --kafka-config file"
    })
public final class ServeMain implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(ServeMain.class);

  @Spec CommandSpec spec;
  @Mixin StandardOptions standard;
  @Mixin ConfigFileOption config;
  @Mixin ServeOptions options;

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /**
   * Runs {@code lethe serve} with {@code args} until the process is stopped.
   *
   * @return the exit code
   */
  public static int run(String... args) {
    return Cli.run(new ServeMain(), args);
  }

  @Override
  public Integer call() throws InterruptedException {
    ServingSettings settings = options.settings();
    try {
      RegistryClientSettings.fromProperties(
          settings.registryUrl(), settings.kafkaConfig().properties());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(),
          "Invalid value for option '" + KafkaConfigOption.NAME + "': " + e.getMessage());
    }
    ConsoleSettings console = options.consoleSettings();
    ModelService service;
    try {
      service = ModelService.start(settings, console);
    } catch (RuntimeException e) {
      LOG.error("Model service cannot start: {}", e.getMessage());
      return Cli.FAILED;
    }
    LOG.info(
        "Model service listening on http://{}:{} (GET /v1/models, POST /v1/models/<model>:predict,"
            + " /readyz, /metrics, the console at /console/); snapshots from {} at {}",
        settings.host(),
        service.port(),
        settings.modelsTopic(),
        settings.bootstrapServers());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  service.close();
                  stopped.countDown();
                },
                "lethe-serve-shutdown"));
    stopped.await();
    return Cli.OK;
  }
}
