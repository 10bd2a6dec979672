package io.lethe.learners.data;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A training and a test split read from the four IDX files of one directory, named as MNIST and
 * Fashion-MNIST name them ({@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte}, {@code
 * t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte}), each gzip-compressed ({@code .gz}) or
 * not. Any data set in that layout loads; what its classes and features mean is the caller's.
 *
 * @param directory where the files were read
 * @param train the training split
 * @param test the test split
 */
public record IdxDataSet(Path directory, LabeledSet train, LabeledSet test) {

  /** The training images' file name without {@code .gz}. */
  public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";

  /** The training labels' file name without {@code .gz}. */
  public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";

  /** The test images' file name without {@code .gz}. */
  public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";

  /** The test labels' file name without {@code .gz}. */
  public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

  /** Why a data set could not be loaded; the message names the directory and the cause. */
  public static final class LoadException extends RuntimeException {
    LoadException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Loads both splits from {@code directory}.
   *
   * @throws LoadException if the directory or a file is missing, unreadable or not IDX, or a
   *     split's images and labels differ in number
   */
  public static IdxDataSet load(Path directory) {
    if (!Files.isDirectory(directory)) {
      throw new LoadException(
          "cannot read the data set in "
              + directory
              + ": "
              + (Files.exists(directory) ? "it is not a directory" : "no such directory"),
          null);
    }
    return new IdxDataSet(
        directory,
        split(directory, "train", TRAIN_IMAGES, TRAIN_LABELS),
        split(directory, "test", TEST_IMAGES, TEST_LABELS));
  }

  private static LabeledSet split(Path directory, String name, String images, String labels) {
    Path imageFile = file(directory, images);
    Path labelFile = file(directory, labels);
    float[][] rows = read(directory, imageFile, () -> IdxReader.readImages(imageFile));
    int[] classes = read(directory, labelFile, () -> IdxReader.readLabels(labelFile));
    if (rows.length != classes.length) {
      throw new LoadException(
          "cannot read the data set in "
              + directory
              + ": "
              + imageFile.getFileName()
              + " holds "
              + rows.length
              + " images but "
              + labelFile.getFileName()
              + " holds "
              + classes.length
              + " labels",
          null);
    }
    return new LabeledSet(name, rows, classes);
  }

  /** {@code base.gz} if it exists, else {@code base}. */
  private static Path file(Path directory, String base) {
    Path gzipped = directory.resolve(base + ".gz");
    if (Files.isRegularFile(gzipped)) {
      return gzipped;
    }
    Path plain = directory.resolve(base);
    if (Files.isRegularFile(plain)) {
      return plain;
    }
    throw new LoadException(
        "cannot read the data set in "
            + directory
            + ": it holds neither "
            + base
            + ".gz nor "
            + base
            + " (the IDX layout of MNIST: train-images, train-labels, t10k-images, t10k-labels)",
        null);
  }

  /** Something that reads one file. */
  private interface Reader<T> {
    T read() throws IOException;
  }

  private static <T> T read(Path directory, Path file, Reader<T> reader) {
    try {
      return reader.read();
    } catch (EOFException e) {
      throw new LoadException(
          "cannot read the data set in "
              + directory
              + ": "
              + file.getFileName()
              + " ends before the size its header declares",
          e);
    } catch (IOException e) {
      throw new LoadException(
          "cannot read the data set in "
              + directory
              + ": "
              + file.getFileName()
              + ": "
              + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()),
          e);
    }
  }
}
