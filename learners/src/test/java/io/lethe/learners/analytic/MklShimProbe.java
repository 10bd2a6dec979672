package io.lethe.learners.analytic;

import io.lethe.learners.internal.Torch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Run in a child JVM by {@link MklShimTest}: learns random samples at d_E 1024, erases ten of them
 * and writes to {@code args[0]} whether the oneMKL shim is mapped into this process, then the
 * head's weights, one per line.
 */
public final class MklShimProbe {
  private MklShimProbe() {}

  /** Writes the probe's result to {@code args[0]}. */
  public static void main(String[] args) throws IOException {
    Torch.noGradOnThisThread();
    RandomSamples samples = RandomSamples.generate(11, 3000, 784, 2, 100);
    List<String> lines = new ArrayList<>();
    lines.add(
        "shim mapped: "
            + Files.readString(Path.of("/proc/self/maps")).contains("lethe-mkl-all-cpus"));
    AnalyticSettings settings = AnalyticSettings.defaults(7, 784).withBufferSize(1024);
    try (AnalyticLearner learner = new AnalyticLearner(settings)) {
      samples.learnInto(learner, 2048);
      RandomSamples erased = samples.filter(i -> i < 10);
      learner.eraseSamples(erased.ids, erased.rows(), erased.labelArray());
      for (double value : learner.weights().values()) {
        lines.add(Double.toString(value));
      }
    }
    Files.write(Path.of(args[0]), lines);
  }
}
