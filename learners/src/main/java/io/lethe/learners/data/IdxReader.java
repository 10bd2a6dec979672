package io.lethe.learners.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files (LeCun's MNIST format, also used by Fashion-MNIST), gzip-compressed or not: a
 * big-endian header (two zero bytes, a type code, the number of dimensions, each dimension as a
 * 32-bit int) followed by the unsigned bytes. Only the unsigned-byte type (0x08) is supported.
 */
final class IdxReader {
  private static final int UNSIGNED_BYTE = 0x08;

  private IdxReader() {}

  /** Reads an image file (3 dimensions) as rows of pixels scaled to [0, 1] (value / 255). */
  public static float[][] readImages(Path file) throws IOException {
    try (DataInputStream in = open(file)) {
      int[] dims = header(in, file, 3);
      int count = dims[0];
      int pixels = Math.multiplyExact(dims[1], dims[2]);
      byte[] row = new byte[pixels];
      float[][] images = new float[count][pixels];
      for (int i = 0; i < count; i++) {
        in.readFully(row);
        for (int p = 0; p < pixels; p++) {
          images[i][p] = (row[p] & 0xff) / 255.0f;
        }
      }
      return images;
    }
  }

  /** Reads a label file (1 dimension) as ints. */
  public static int[] readLabels(Path file) throws IOException {
    try (DataInputStream in = open(file)) {
      int count = header(in, file, 1)[0];
      byte[] bytes = new byte[count];
      in.readFully(bytes);
      int[] labels = new int[count];
      for (int i = 0; i < count; i++) {
        labels[i] = bytes[i] & 0xff;
      }
      return labels;
    }
  }

  private static DataInputStream open(Path file) throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    if (file.getFileName().toString().endsWith(".gz")) {
      raw = new GZIPInputStream(raw, 1 << 16);
    }
    return new DataInputStream(raw);
  }

  private static int[] header(DataInputStream in, Path file, int expectedDims) throws IOException {
    int magic = in.readInt();
    int type = (magic >>> 8) & 0xff;
    int dims = magic & 0xff;
    if ((magic >>> 16) != 0 || type != UNSIGNED_BYTE || dims != expectedDims) {
      throw new IOException(
          String.format(
              "%s is not an IDX file of unsigned bytes with %d dimensions (magic 0x%08x)",
              file, expectedDims, magic));
    }
    int[] sizes = new int[dims];
    for (int i = 0; i < dims; i++) {
      sizes[i] = in.readInt();
      if (sizes[i] < 0) {
        throw new IOException(file + ": negative dimension " + sizes[i]);
      }
    }
    return sizes;
  }
}
