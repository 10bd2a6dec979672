package io.lethe.learners.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017) from the IDX files of the Debian package {@code
 * dataset-fashion-mnist}: 60,000 training and 10,000 test images of 28 x 28 = 784 pixels, 10
 * classes.
 *
 * @param train the training split
 * @param test the test split
 */
public record FashionMnist(LabeledSet train, LabeledSet test) {

  /** Where the Debian package installs the files. */
  public static final Path DEFAULT_DIRECTORY = Path.of("/usr/share/datasets/fashion-mnist");

  /** Environment variable that overrides {@link #DEFAULT_DIRECTORY}. */
  public static final String DIRECTORY_ENV = "LETHE_FASHION_MNIST_DIR";

  /** Pixels per image. */
  public static final int FEATURES = 784;

  /** Number of classes. */
  public static final int CLASSES = 10;

  private static final List<String> FILES =
      List.of(
          "train-images-idx3-ubyte.gz",
          "train-labels-idx1-ubyte.gz",
          "t10k-images-idx3-ubyte.gz",
          "t10k-labels-idx1-ubyte.gz");

  /** The directory from {@value #DIRECTORY_ENV} if set, else {@link #DEFAULT_DIRECTORY}. */
  public static Path defaultDirectory() {
    String fromEnv = System.getenv(DIRECTORY_ENV);
    return fromEnv == null || fromEnv.isBlank() ? DEFAULT_DIRECTORY : Path.of(fromEnv);
  }

  /** Loads from {@link #defaultDirectory()}. */
  public static FashionMnist load() {
    return load(defaultDirectory());
  }

  /**
   * Loads only the test split ({@code t10k-*}) from {@code directory}, e.g. as a held-out set.
   *
   * @throws IllegalStateException saying how to install the data set if a file is missing
   * @throws UncheckedIOException if a file cannot be read or is not IDX
   */
  public static LabeledSet loadTest(Path directory) {
    for (String file : FILES.subList(2, 4)) {
      if (!Files.isRegularFile(directory.resolve(file))) {
        throw new IllegalStateException(
            directory.resolve(file)
                + " is missing: the directory must hold Fashion-MNIST's test split"
                + " (Debian package dataset-fashion-mnist installs it in "
                + DEFAULT_DIRECTORY
                + ")");
      }
    }
    try {
      return new LabeledSet(
          "test",
          IdxReader.readImages(directory.resolve(FILES.get(2))),
          IdxReader.readLabels(directory.resolve(FILES.get(3))));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read Fashion-MNIST's test split from " + directory, e);
    }
  }

  /**
   * Loads both splits from {@code directory}.
   *
   * @throws IllegalStateException saying how to install the data set if a file is missing
   * @throws UncheckedIOException if a file cannot be read or is not IDX
   */
  public static FashionMnist load(Path directory) {
    for (String file : FILES) {
      if (!Files.isRegularFile(directory.resolve(file))) {
        throw new IllegalStateException(
            "Fashion-MNIST not found: "
                + directory.resolve(file)
                + " is missing. Install it with `sudo apt-get update && sudo apt-get install -y"
                + " dataset-fashion-mnist`, or point "
                + DIRECTORY_ENV
                + " (or --data) at a directory with the four IDX .gz files.");
      }
    }
    try {
      LabeledSet train =
          new LabeledSet(
              "train",
              IdxReader.readImages(directory.resolve(FILES.get(0))),
              IdxReader.readLabels(directory.resolve(FILES.get(1))));
      LabeledSet test =
          new LabeledSet(
              "test",
              IdxReader.readImages(directory.resolve(FILES.get(2))),
              IdxReader.readLabels(directory.resolve(FILES.get(3))));
      return new FashionMnist(train, test);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read Fashion-MNIST from " + directory, e);
    }
  }
}
