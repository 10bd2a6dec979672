package io.lethe.learners.data;

/**
 * An in-memory labelled data set split (e.g. Fashion-MNIST's training images), rows in file order.
 *
 * @param name split name, used in sample ids ("train", "test")
 * @param features one row of pixel values in [0, 1] per sample
 * @param labels class label per sample
 */
public record LabeledSet(String name, float[][] features, int[] labels) {

  /** Checks that rows and labels match. */
  public LabeledSet {
    if (features.length != labels.length) {
      throw new IllegalArgumentException(
          name + " has " + features.length + " rows but " + labels.length + " labels");
    }
  }

  /** Number of samples. */
  public int size() {
    return labels.length;
  }

  /** Number of features per row (0 if empty). */
  public int featureCount() {
    return features.length == 0 ? 0 : features[0].length;
  }

  /** The rows at the given indices, as a new set. */
  public LabeledSet select(int[] indices) {
    float[][] rows = new float[indices.length][];
    int[] selected = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      rows[i] = features[indices[i]];
      selected[i] = labels[indices[i]];
    }
    return new LabeledSet(name, rows, selected);
  }
}
