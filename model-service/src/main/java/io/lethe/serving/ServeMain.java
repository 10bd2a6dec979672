package io.lethe.serving;

import io.lethe.schemas.cli.CommandLine;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * {@code lethe serve}: runs the model service until the process is stopped. Exit code 2 for a bad
 * command line, 1 if the service cannot start.
 */
public final class ServeMain {
  private ServeMain() {}

  /** Entry point; see {@link ServeOptions#USAGE}. */
  public static void main(String[] args) throws InterruptedException {
    if (Arrays.asList(args).contains("--help")) {
      System.out.println(ServeOptions.USAGE);
      return;
    }
    ServingSettings settings;
    try {
      settings = ServeOptions.parse(args);
    } catch (CommandLine.UsageException e) {
      System.err.println("lethe serve: " + e.getMessage());
      System.err.println(ServeOptions.USAGE);
      System.exit(2);
      return;
    }
    ModelService service;
    try {
      service = ModelService.start(settings);
    } catch (RuntimeException e) {
      System.err.println("lethe serve: cannot start: " + e.getMessage());
      System.exit(1);
      return;
    }
    System.out.println(
        "lethe serve: listening on http://"
            + settings.host()
            + ":"
            + service.port()
            + " (GET /v1/models, POST /v1/models/{model}:predict, /readyz, /metrics)");
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
  }
}
