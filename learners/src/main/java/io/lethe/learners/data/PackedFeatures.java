package io.lethe.learners.data;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A lossless, compact byte form of a feature vector, for the state that keeps vectors until they
 * are erased or checkpointed (the job's ledger entries, the analytic learner's journal).
 *
 * <p>Many feature vectors are sparse or quantized: a Fashion-MNIST image is about half zeros and
 * has about 127 distinct pixel values (each {@code k / 255f}). Each vector is written in the
 * smallest of three forms, all little-endian and bit-exact (values are compared by their raw bits,
 * so {@code -0.0f} and NaN payloads come back as written):
 *
 * <ul>
 *   <li>{@link #RAW}: the form byte, the length (int), then every float;
 *   <li>{@link #SPARSE}: the form byte, the length, a bitmap of the positions whose value is not
 *       {@code +0.0f} (bit {@code i % 8} of byte {@code i / 8}), then those values;
 *   <li>{@link #PALETTE}: the form byte, the length, the bitmap, the number of distinct non-zero
 *       values less one (a byte; at most {@value #MAX_PALETTE}), those values, then one byte per
 *       non-zero position: its value's index in the palette.
 * </ul>
 *
 * A Fashion-MNIST image takes about 1 KB instead of 3.1 KB (992 bytes on average over the first
 * 1,024 training images); a dense vector of arbitrary floats takes 5 bytes more than its floats.
 * Unlike RocksDB's block compression, which compresses again on every flush and compaction, a
 * vector is packed once, when it is put into state.
 *
 * <p>Thread safety: an instance holds scratch tables for {@link #pack} and is not thread-safe;
 * {@link #unpack} is static.
 */
public final class PackedFeatures {
  /** Form: every float. */
  static final byte RAW = 0;

  /** Form: a bitmap of the non-zero positions, then their values. */
  static final byte SPARSE = 1;

  /** Form: a bitmap of the non-zero positions, a palette, then one palette index per position. */
  static final byte PALETTE = 2;

  /** The most distinct non-zero values a palette holds (its indices are one byte). */
  public static final int MAX_PALETTE = 256;

  private static final int HEADER_BYTES = 1 + Integer.BYTES;

  /**
   * Open addressing over the raw bits of the palette's values: a power of two of slots, a quarter
   * full at most.
   */
  private static final int TABLE_BITS = 10;

  private static final int TABLE_SIZE = 1 << TABLE_BITS;

  /** A stamp is kept in a slot's tag above its palette index (8 bits), so it counts to 2^23. */
  static final int STAMPS = 1 << 23;

  private final int[] tableBits = new int[TABLE_SIZE];

  /** Per slot: the stamp of the vector that filled it, shifted left by 8, or'ed with its index. */
  private final int[] tableTag = new int[TABLE_SIZE];

  private final int[] palette = new int[MAX_PALETTE];
  private int stamp;

  // Per vector: its bitmap, its non-zero values' bits in order, and their palette indices.
  private byte[] bitmap = new byte[0];
  private int[] nonZeroBits = new int[0];
  private byte[] nonZeroIndex = new byte[0];

  /** Where {@link #pack(float[])} packs before copying out the bytes written. */
  private ByteBuffer scratch = ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);

  /** The most bytes {@link #pack} writes for a vector of {@code length} features. */
  public static int maxPackedBytes(int length) {
    return HEADER_BYTES + length * Float.BYTES;
  }

  /** Packs {@code features} into a new array of exactly the packed size. */
  public byte[] pack(float[] features) {
    int maxBytes = maxPackedBytes(features.length);
    if (scratch.capacity() < maxBytes) {
      scratch = ByteBuffer.allocate(maxBytes).order(ByteOrder.LITTLE_ENDIAN);
    }
    int size = pack(features, scratch.clear());
    return Arrays.copyOf(scratch.array(), size);
  }

  /**
   * Writes {@code features} at {@code target}'s position, which must be little-endian and have
   * {@link #maxPackedBytes} remaining.
   *
   * @return the number of bytes written
   */
  public int pack(float[] features, ByteBuffer target) {
    if (target.order() != ByteOrder.LITTLE_ENDIAN) {
      throw new IllegalArgumentException("packed features are little-endian");
    }
    int start = target.position();
    int length = features.length;
    int nonZero = gatherNonZero(features);
    int distinct = numberPalette(nonZero);
    int bitmapBytes = (int) bitmapBytes(length);
    long rawSize = (long) length * Float.BYTES;
    long sparseSize = bitmapBytes + (long) nonZero * Float.BYTES;
    long paletteSize =
        distinct > 0 && distinct <= MAX_PALETTE
            ? bitmapBytes + 1 + (long) distinct * Float.BYTES + nonZero
            : Long.MAX_VALUE;
    if (rawSize <= sparseSize && rawSize <= paletteSize) {
      target.put(RAW).putInt(length);
      target.asFloatBuffer().put(features);
      target.position(target.position() + length * Float.BYTES);
    } else if (sparseSize <= paletteSize) {
      target.put(SPARSE).putInt(length).put(bitmap, 0, bitmapBytes);
      putInts(target, nonZeroBits, nonZero);
    } else {
      target.put(PALETTE).putInt(length).put(bitmap, 0, bitmapBytes);
      target.put((byte) (distinct - 1));
      putInts(target, palette, distinct);
      target.put(nonZeroIndex, 0, nonZero);
    }
    return target.position() - start;
  }

  /**
   * Reads the packed vector that {@code packed} holds, and nothing else.
   *
   * @throws IllegalArgumentException if the bytes are not one packed vector (cut short, or with
   *     bytes left over)
   */
  public static float[] unpack(byte[] packed) {
    ByteBuffer source = ByteBuffer.wrap(packed).order(ByteOrder.LITTLE_ENDIAN);
    float[] features = unpack(source);
    if (source.hasRemaining()) {
      throw new IllegalArgumentException(
          "packed features of "
              + packed.length
              + " bytes have "
              + source.remaining()
              + " bytes left over");
    }
    return features;
  }

  /**
   * Reads rows that each hold one packed vector ({@link #unpack(byte[])}).
   *
   * @throws IllegalArgumentException naming the first row that does not
   */
  public static float[][] unpack(byte[][] rows) {
    float[][] features = new float[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      try {
        features[i] = unpack(rows[i]);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("row " + i + ": " + e.getMessage(), e);
      }
    }
    return features;
  }

  /**
   * Reads one packed vector at {@code source}'s position (little-endian), leaving the position
   * after it.
   *
   * @throws IllegalArgumentException if the bytes are not a packed vector or are cut short
   */
  public static float[] unpack(ByteBuffer source) {
    if (source.order() != ByteOrder.LITTLE_ENDIAN) {
      throw new IllegalArgumentException("packed features are little-endian");
    }
    try {
      byte form = source.get();
      int length = source.getInt();
      if (length < 0 || bitmapBytes(length) > source.remaining()) {
        throw new IllegalArgumentException(
            "packed features announce " + length + " values in " + source.remaining() + " bytes");
      }
      float[] features = new float[length];
      switch (form) {
        case RAW -> {
          source.asFloatBuffer().get(features);
          source.position(source.position() + length * Float.BYTES);
        }
        case SPARSE -> {
          byte[] bitmap = new byte[(int) bitmapBytes(length)];
          source.get(bitmap);
          int[] values = new int[bitCount(bitmap, length) + 1];
          getInts(source, values, values.length - 1);
          scatter(bitmap, values, features);
        }
        case PALETTE -> {
          byte[] bitmap = new byte[(int) bitmapBytes(length)];
          source.get(bitmap);
          int distinct = (source.get() & 0xff) + 1;
          int[] palette = new int[distinct];
          getInts(source, palette, distinct);
          int[] values = new int[bitCount(bitmap, length) + 1];
          for (int k = 0; k < values.length - 1; k++) {
            int index = source.get() & 0xff;
            if (index >= distinct) {
              throw new IllegalArgumentException(
                  "packed features refer to palette entry "
                      + index
                      + " of "
                      + distinct
                      + " for non-zero value "
                      + k);
            }
            values[k] = palette[index];
          }
          scatter(bitmap, values, features);
        }
        default -> throw new IllegalArgumentException("unknown packed features form " + form);
      }
      return features;
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("packed features are cut short", e);
    }
  }

  /**
   * Fills {@link #bitmap} and {@link #nonZeroBits} for {@code features}. Without branches on the
   * values: in an image, whether the next pixel is zero is a coin toss a branch predictor loses.
   * Each bitmap byte is assembled in a register and stored once.
   *
   * @return the number of non-zero values
   */
  private int gatherNonZero(float[] features) {
    int length = features.length;
    if (nonZeroBits.length < length + 1) {
      nonZeroBits = new int[length + 1];
      nonZeroIndex = new byte[length + 1];
      bitmap = new byte[(int) bitmapBytes(length)];
    }
    int[] values = nonZeroBits;
    int nonZero = 0;
    for (int from = 0; from < length; from += 8) {
      int to = Math.min(length, from + 8);
      int mask = 0;
      for (int i = from; i < to; i++) {
        int bits = Float.floatToRawIntBits(features[i]);
        int isNonZero = (bits | -bits) >>> 31;
        values[nonZero] = bits;
        nonZero += isNonZero;
        mask |= isNonZero << (i - from);
      }
      bitmap[from >>> 3] = (byte) mask;
    }
    return nonZero;
  }

  /**
   * Numbers the distinct values among the first {@code nonZero} {@link #nonZeroBits} in order of
   * first appearance ({@link #palette}, {@link #nonZeroIndex}).
   *
   * @return how many there are, or {@code MAX_PALETTE + 1} once there are more than a palette holds
   */
  private int numberPalette(int nonZero) {
    if (++stamp == STAMPS) {
      Arrays.fill(tableTag, 0);
      stamp = 1;
    }
    int[] values = nonZeroBits;
    byte[] indices = nonZeroIndex;
    int distinct = 0;
    for (int k = 0; k < nonZero; k++) {
      int bits = values[k];
      int slot = slot(bits);
      int tag = tableTag[slot];
      while (tag >>> 8 == stamp && tableBits[slot] != bits) {
        slot = (slot + 1) & (TABLE_SIZE - 1);
        tag = tableTag[slot];
      }
      if (tag >>> 8 != stamp) {
        if (distinct == MAX_PALETTE) {
          return MAX_PALETTE + 1;
        }
        tag = stamp << 8 | distinct;
        tableTag[slot] = tag;
        tableBits[slot] = bits;
        palette[distinct++] = bits;
      }
      indices[k] = (byte) tag;
    }
    return distinct;
  }

  /**
   * Fibonacci hashing of the bits folded once: the top {@link #TABLE_BITS} bits of the product with
   * 2^32 over the golden ratio. A float's raw bits differ mostly in their middle (mantissa) bits;
   * folding the high half onto the low one first spreads Fashion-MNIST's pixel values (k / 255)
   * over the table with 0.03 extra probes a value, against 0.2 without the fold and 0.05 for
   * MurmurHash3's finalizer (two multiplications).
   */
  private static int slot(int bits) {
    return ((bits ^ (bits >>> 16)) * 0x9E3779B9) >>> (Integer.SIZE - TABLE_BITS);
  }

  /**
   * Writes the non-zero values (their bits, in order, with one spare slot at the end) to the
   * positions set in {@code bitmap}, and {@code +0.0f} elsewhere; without branches on the bits.
   */
  private static void scatter(byte[] bitmap, int[] values, float[] features) {
    int k = 0;
    for (int i = 0; i < features.length; i++) {
      int isNonZero = (bitmap[i >>> 3] >>> (i & 7)) & 1;
      features[i] = Float.intBitsToFloat(values[k] & -isNonZero);
      k += isNonZero;
    }
  }

  /** The number of non-zero positions in a bitmap read for {@code length} values. */
  private static int bitCount(byte[] bitmap, int length) {
    if ((length & 7) != 0 && (bitmap[bitmap.length - 1] & 0xff) >>> (length & 7) != 0) {
      throw new IllegalArgumentException(
          "packed features mark positions past their length " + length);
    }
    int count = 0;
    for (byte b : bitmap) {
      count += Integer.bitCount(b & 0xff);
    }
    return count;
  }

  private static void putInts(ByteBuffer target, int[] values, int count) {
    target.asIntBuffer().put(values, 0, count);
    target.position(target.position() + count * Integer.BYTES);
  }

  private static void getInts(ByteBuffer source, int[] values, int count) {
    source.asIntBuffer().get(values, 0, count);
    source.position(source.position() + count * Integer.BYTES);
  }

  private static long bitmapBytes(int length) {
    return ((long) length + 7) / 8;
  }
}
