package io.lethe.demo;

import io.lethe.schemas.cli.CommandLine;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * {@code lethe demo}: runs {@link Demo} and prints its report. Exit code 0 with a complete report,
 * 1 if the report is incomplete or the demo failed, 2 for a bad command line or something missing
 * (the message says how to fix it).
 */
public final class DemoMain {
  private DemoMain() {}

  /** Entry point; see {@link DemoOptions#USAGE}. */
  public static void main(String[] args) throws Exception {
    if (Arrays.asList(args).contains("--help")) {
      System.out.println(DemoOptions.USAGE);
      return;
    }
    DemoOptions options;
    try {
      options = DemoOptions.parse(args);
    } catch (CommandLine.UsageException e) {
      System.err.println("lethe demo: " + e.getMessage());
      System.err.println(DemoOptions.USAGE);
      System.exit(2);
      return;
    }
    Demo demo;
    try {
      demo = Demo.run(options, System.out);
    } catch (Demo.DemoException e) {
      System.err.println("lethe demo: " + e.getMessage());
      System.exit(2);
      return;
    }
    DemoReport report = demo.report();
    report.print(System.out);
    if (options.report() != null) {
      report.write(options.report());
      System.out.println("report written to " + options.report());
    }
    int status = report.missing().isEmpty() ? 0 : 1;
    if (status != 0) {
      System.out.println("the report is incomplete: " + report.missing());
    }
    if (options.keepRunning()) {
      System.out.println("lethe demo: still running (--keep-running); Ctrl-C stops it");
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    demo.close();
                    stopped.countDown();
                  }));
      stopped.await();
      return;
    }
    demo.close();
    System.exit(status);
  }
}
