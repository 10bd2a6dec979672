package io.lethe.evaluation;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes tiny IDX data sets (the layout of MNIST's four files) for tests. */
final class IdxFiles {
  private IdxFiles() {}

  /**
   * Writes the four files into {@code directory}: images of {@code height x width} pixels whose
   * pixel values follow from the label (so the classes are separable), gzip-compressed or not.
   */
  static Path write(
      Path directory, int height, int width, int[] trainLabels, int[] testLabels, boolean gzip)
      throws IOException {
    Files.createDirectories(directory);
    String suffix = gzip ? ".gz" : "";
    images(directory.resolve("train-images-idx3-ubyte" + suffix), height, width, trainLabels, gzip);
    labels(directory.resolve("train-labels-idx1-ubyte" + suffix), trainLabels, gzip);
    images(directory.resolve("t10k-images-idx3-ubyte" + suffix), height, width, testLabels, gzip);
    labels(directory.resolve("t10k-labels-idx1-ubyte" + suffix), testLabels, gzip);
    return directory;
  }

  /** {@code count} labels cycling through {@code classes}. */
  static int[] cycle(int count, int... classes) {
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      labels[i] = classes[i % classes.length];
    }
    return labels;
  }

  /** The arrays one after the other. */
  static int[] concat(int[]... parts) {
    return java.util.Arrays.stream(parts).flatMapToInt(java.util.Arrays::stream).toArray();
  }

  private static void images(Path file, int height, int width, int[] labels, boolean gzip)
      throws IOException {
    try (DataOutputStream out = open(file, gzip)) {
      out.writeInt(0x00000803);
      out.writeInt(labels.length);
      out.writeInt(height);
      out.writeInt(width);
      for (int i = 0; i < labels.length; i++) {
        for (int p = 0; p < height * width; p++) {
          // pixel p is bright when bit p of the label is set, plus a little row-dependent noise
          int bright = ((labels[i] >> (p % 8)) & 1) == 1 ? 200 : 30;
          out.writeByte(bright + (i * 7 + p * 13) % 25);
        }
      }
    }
  }

  private static void labels(Path file, int[] labels, boolean gzip) throws IOException {
    try (DataOutputStream out = open(file, gzip)) {
      out.writeInt(0x00000801);
      out.writeInt(labels.length);
      for (int label : labels) {
        out.writeByte(label);
      }
    }
  }

  private static DataOutputStream open(Path file, boolean gzip) throws IOException {
    OutputStream raw = Files.newOutputStream(file);
    return new DataOutputStream(gzip ? new GZIPOutputStream(raw) : raw);
  }
}
