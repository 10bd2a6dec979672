package io.lethe.learners.analytic;

import io.lethe.learners.internal.Cholesky;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Ridge regression on the buffer features written plainly on the JVM, as an independent check. */
final class RidgeReference {
  private RidgeReference() {}

  static HeadWeights solve(AnalyticSettings settings, float[][] rows, int[] labels) {
    int dIn = settings.inputDim();
    int d = settings.bufferSize();
    double[] wb = BufferLayer.weightValues(settings.bufferSeed(), dIn, d);
    List<Integer> classes =
        new ArrayList<>(new TreeSet<>(java.util.Arrays.stream(labels).boxed().toList()));
    int k = classes.size();
    double[] gram = new double[d * d];
    double[] cross = new double[d * k];
    for (int n = 0; n < rows.length; n++) {
      double[] h = new double[d];
      for (int j = 0; j < d; j++) {
        double sum = 0;
        for (int i = 0; i < dIn; i++) {
          sum += rows[n][i] * wb[i * d + j];
        }
        h[j] = Math.max(0, sum);
      }
      for (int a = 0; a < d; a++) {
        for (int b = 0; b < d; b++) {
          gram[a * d + b] += h[a] * h[b];
        }
        cross[a * k + classes.indexOf(labels[n])] += h[a];
      }
    }
    for (int a = 0; a < d; a++) {
      gram[a * d + a] += settings.gamma();
    }
    return new HeadWeights(classes, d, Cholesky.factor(gram, d).solve(cross, k));
  }
}
