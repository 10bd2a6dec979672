package io.lethe.job;

import io.lethe.learners.data.FashionMnist;
import io.lethe.learners.data.LabeledSet;
import io.lethe.records.TrainingSample;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Fashion-MNIST training samples and a one-model catalog for the job's tests. */
final class TestSamples {
  static final Instant T0 = Instant.parse("2026-11-26T08:00:00Z");

  private TestSamples() {}

  /** A catalog of one analytic Fashion-MNIST model with snapshots every second with changes. */
  static String analyticCatalog(String model, int bufferSize, double gamma) {
    return """
        datasets:
          - {name: fashion-mnist, features: 784, classes: 10}
        models:
          - name: %s
            learner: analytic
            dataset: fashion-mnist
            snapshot: {every-samples: 1000000, interval: 1s, after-erasure: 300ms}
            settings: {buffer-size: %d, gamma: %s, seed: 7}
        """
        .formatted(model, bufferSize, gamma);
  }

  /**
   * The first {@code count} Fashion-MNIST training samples of classes 0-3 (tasks 0 and 1), with
   * subjects {@code u-0 .. u-(subjects-1)} in turn and event times {@link #T0} + index ms.
   */
  static List<TrainingSample> samples(int count, int subjects) throws IOException {
    LabeledSet train = FashionMnist.load().train();
    List<TrainingSample> samples = new ArrayList<>();
    for (int i = 0; i < train.size() && samples.size() < count; i++) {
      int label = train.labels()[i];
      if (label < 4) {
        samples.add(trainingSample(train, i, "u-" + samples.size() % subjects));
      }
    }
    return samples;
  }

  /**
   * Training image {@code index} as a sample of {@code subject}: id {@code s-<index>}, task label /
   * 2, event time {@link #T0} + index ms.
   */
  static TrainingSample trainingSample(LabeledSet train, int index, String subject) {
    List<Float> features = new ArrayList<>(784);
    for (float v : train.features()[index]) {
      features.add(v);
    }
    int label = train.labels()[index];
    return TrainingSample.newBuilder()
        .setSampleId("s-" + index)
        .setSubjectId(subject)
        .setDataset("fashion-mnist")
        .setTask(String.valueOf(label / 2))
        .setFeatures(features)
        .setLabel(label)
        .setEventTime(T0.plusMillis(index))
        .setAttributes(null)
        .build();
  }
}
