package io.lethe.learners.bench;

import io.lethe.learners.data.FashionMnist;
import io.lethe.learners.data.LabeledSet;
import io.lethe.learners.internal.SymmetricGram;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Inputs for the benchmarks: random rows shaped like Fashion-MNIST (784 values in [0, 1]), or
 * Fashion-MNIST itself.
 */
final class BenchData {
  static final int INPUT_DIM = 784;
  static final int CLASSES = 10;

  final List<String> ids;
  final float[][] rows;
  final int[] labels;

  private BenchData(List<String> ids, float[][] rows, int[] labels) {
    this.ids = ids;
    this.rows = rows;
    this.labels = labels;
  }

  static BenchData random(String prefix, int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<String> ids = new ArrayList<>(count);
    float[][] rows = new float[count][INPUT_DIM];
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      ids.add(prefix + i);
      for (int c = 0; c < INPUT_DIM; c++) {
        rows[i][c] = (float) random.nextDouble();
      }
      labels[i] = random.nextInt(CLASSES);
    }
    return new BenchData(ids, rows, labels);
  }

  /**
   * {@code count} Fashion-MNIST training images and labels, in the file's order, starting over at
   * the end of the file (the ids stay distinct).
   */
  static BenchData fashionMnist(String prefix, int count) {
    LabeledSet train = FashionMnist.load().train();
    List<String> ids = new ArrayList<>(count);
    float[][] rows = new float[count][];
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      ids.add(prefix + i);
      rows[i] = train.features()[i % train.size()];
      labels[i] = train.labels()[i % train.size()];
    }
    return new BenchData(ids, rows, labels);
  }

  /** Rows [start, end) as a new view. */
  BenchData slice(int start, int end) {
    return new BenchData(
        ids.subList(start, end),
        java.util.Arrays.copyOfRange(rows, start, end),
        java.util.Arrays.copyOfRange(labels, start, end));
  }

  /**
   * Floating-point operations executed to learn one sample into the sums at buffer size d: the
   * buffer layer (2 d_in d), the Gram update H^T H from the upper block triangle of {@link
   * SymmetricGram} with b strips ((b + 1) / 2b of 2 d^2) and the cross update H^T Y (2 d k).
   */
  static double learnFlopsPerSample(int d, int k) {
    int b = SymmetricGram.blocksFor(d);
    return 2.0 * INPUT_DIM * d + 2.0 * d * d * (b + 1) / (2.0 * b) + 2.0 * d * k;
  }
}
