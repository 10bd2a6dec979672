package io.lethe.demo;

import io.lethe.schemas.cli.CommandLine;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * {@code lethe demo}: runs {@link Demo} and prints its report. Exit code 0 with a complete report,
 * 1 if the report is incomplete or the demo failed, 2 for a bad command line or something missing
 * (the message says how to fix it), {@value LearnerWatch#EXIT_STATUS} if the learner job stopped
 * learning (cancelled, failed, or reported not running by the model service) while the demo ran.
 */
public final class DemoMain {
  private DemoMain() {}

  /** Entry point; see {@link DemoOptions#USAGE}. */
  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Runs the demo with {@code args}; with {@code --keep-running}, until the process is stopped or
   * the learner stops.
   *
   * @return the exit status
   */
  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    if (Arrays.asList(args).contains("--help")) {
      out.println(DemoOptions.USAGE);
      return 0;
    }
    DemoOptions options;
    try {
      options = DemoOptions.parse(args);
    } catch (CommandLine.UsageException e) {
      err.println("lethe demo: " + e.getMessage());
      err.println(DemoOptions.USAGE);
      return 2;
    }
    Demo demo;
    try {
      demo = Demo.run(options, out);
    } catch (Demo.DemoException e) {
      err.println("lethe demo: " + e.getMessage());
      return 2;
    } catch (Demo.LearnerStoppedException e) {
      err.println("lethe demo: stopped: " + e.getMessage());
      return LearnerWatch.EXIT_STATUS;
    }
    DemoReport report = demo.report();
    report.print(out);
    if (options.report() != null) {
      report.write(options.report());
      out.println("report written to " + options.report());
    }
    int status = report.missing().isEmpty() ? 0 : 1;
    if (status != 0) {
      out.println("the report is incomplete: " + report.missing());
    }
    if (options.keepRunning()) {
      out.println("lethe demo: still running (--keep-running); Ctrl-C stops it");
      Runtime.getRuntime().addShutdownHook(new Thread(demo::close));
      // Ctrl-C ends the process in the hook; a stopped learner ends the wait
      String why = demo.learnerStopped().get();
      err.println("lethe demo: stopped: " + why);
      demo.close();
      return LearnerWatch.EXIT_STATUS;
    }
    demo.close();
    return status;
  }
}
