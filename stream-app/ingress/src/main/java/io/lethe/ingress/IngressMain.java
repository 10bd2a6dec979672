package io.lethe.ingress;

import io.lethe.catalog.CatalogException;
import io.lethe.catalog.ModelCatalog;
import io.lethe.schemas.cli.CommandLine;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.schemas.topics.LetheTopics;
import io.lethe.schemas.topics.TopicNames;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * {@code lethe ingress}: runs the ingress until the process is stopped. Exit code 2 for a bad
 * command line or catalog, 1 if the ingress cannot start.
 */
public final class IngressMain {
  private IngressMain() {}

  /** Entry point; see {@link IngressOptions#USAGE}. */
  public static void main(String[] args) throws InterruptedException {
    if (Arrays.asList(args).contains("--help")) {
      System.out.println(IngressOptions.USAGE);
      return;
    }
    IngressOptions options;
    ModelCatalog catalog;
    try {
      options = IngressOptions.parse(args);
      catalog = ModelCatalog.load(options.catalog());
    } catch (CommandLine.UsageException | CatalogException e) {
      System.err.println("lethe ingress: " + e.getMessage());
      System.err.println(IngressOptions.USAGE);
      System.exit(2);
      return;
    }
    TopicNames names = TopicNames.defaults();
    SchemaRegistryClient registry = SchemaRegistryClient.create(options.registry());
    IngressApp app;
    try {
      app =
          IngressApp.start(
              new IngressApp.Connection(
                  options.applicationId(),
                  options.bootstrap(),
                  options.stateDir(),
                  options.httpPort(),
                  options.advertisedHost()),
              LetheTopics.create(names, registry),
              names,
              catalog,
              options.settings());
    } catch (Exception e) {
      System.err.println("lethe ingress: cannot start: " + e.getMessage());
      registry.close();
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  app.close();
                  registry.close();
                  stopped.countDown();
                },
                "lethe-ingress-shutdown"));
    stopped.await();
  }
}
