package io.lethe.learners.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PackedFeaturesTest {
  private final PackedFeatures packer = new PackedFeatures();

  @Test
  void shouldGiveBackEveryVectorBitForBitInItsSmallestForm() {
    SplittableRandom random = new SplittableRandom(7);
    List<float[]> vectors = new ArrayList<>();
    vectors.add(new float[0]);
    vectors.add(new float[13]);
    vectors.add(new float[] {-0.0f, 0.0f, Float.intBitsToFloat(0x7fc0_1234), Float.MIN_VALUE});
    for (int length : new int[] {1, 7, 8, 9, 784, 1001}) {
      vectors.add(dense(random, length));
      vectors.add(sparse(random, length));
      vectors.add(imageLike(random, length));
      vectors.add(withDistinctValues(length, Math.min(length, PackedFeatures.MAX_PALETTE)));
      vectors.add(withDistinctValues(length, Math.min(length, PackedFeatures.MAX_PALETTE + 1)));
    }
    // Packed back to back with one packer (its tables are reused) into one buffer.
    ByteBuffer buffer = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    List<Integer> sizes = new ArrayList<>();
    for (float[] vector : vectors) {
      sizes.add(packer.pack(vector, buffer));
    }
    buffer.flip();
    for (int v = 0; v < vectors.size(); v++) {
      float[] vector = vectors.get(v);
      int before = buffer.position();
      float[] unpacked = PackedFeatures.unpack(buffer);
      assertThat(rawBits(unpacked)).as("vector %d", v).isEqualTo(rawBits(vector));
      assertThat(buffer.position() - before).isEqualTo(sizes.get(v)).isEqualTo(smallest(vector));
    }
    assertThat(buffer.hasRemaining()).isFalse();
  }

  @Test
  void shouldPackAnImageOfQuantizedPixelsIntoAPalette() {
    float[] image = imageLike(new SplittableRandom(3), 784);
    int nonZero = nonZero(image);
    int distinct = (int) rawBits(image).stream().filter(bits -> bits != 0).distinct().count();

    byte[] packed = packer.pack(image);

    assertThat(packed[0]).isEqualTo(PackedFeatures.PALETTE);
    assertThat(packed).hasSize(5 + 98 + 1 + 4 * distinct + nonZero);
    assertThat(packed.length).isLessThan(784 * Float.BYTES / 2);
    assertThat(PackedFeatures.unpack(ByteBuffer.wrap(packed).order(ByteOrder.LITTLE_ENDIAN)))
        .isEqualTo(image);
  }

  @Test
  void shouldWriteADenseVectorAsItsFloatsAfterAFiveByteHeader() {
    float[] vector = dense(new SplittableRandom(5), 784);

    byte[] packed = packer.pack(vector);

    assertThat(packed[0]).isEqualTo(PackedFeatures.RAW);
    assertThat(packed).hasSize(PackedFeatures.maxPackedBytes(784)).hasSize(5 + 784 * 4);
  }

  @Test
  void shouldNumberPalettesAfreshOnceThePackersStampsStartOver() {
    // A palette vector of 1s and 2s marks its values' table slots with the packer's first stamp.
    float[] first = withDistinctValues(64, 2);
    assertThat(packer.pack(first)[0]).isEqualTo(PackedFeatures.PALETTE);
    // Vectors of one value each take a stamp too, until the stamps start over at the first.
    float[] one = {3.0f};
    ByteBuffer scratch = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 1; i < PackedFeatures.STAMPS - 1; i++) {
      scratch.clear();
      packer.pack(one, scratch);
    }
    // Its 2s come first here: the slots left from the first vector must not be taken as this one's.
    float[] second = withDistinctValues(64, 2);
    for (int i = 0; i < second.length; i++) {
      second[i] = second[i] == 0 ? 0 : 3 - second[i];
    }
    for (float[] vector : List.of(second, first)) {
      byte[] packed = packer.pack(vector);
      assertThat(packed[0]).isEqualTo(PackedFeatures.PALETTE);
      assertThat(unpack(packed)).isEqualTo(vector);
    }
  }

  @Test
  void shouldRefuseBytesThatAreNotAPackedVector() {
    byte[] image = packer.pack(imageLike(new SplittableRandom(9), 64));

    assertThatThrownBy(() -> unpack(new byte[] {9, 1, 0, 0, 0, 0}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown packed features form 9");
    assertThatThrownBy(() -> unpack(Arrays.copyOf(image, image.length - 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("packed features are cut short");
    assertThatThrownBy(() -> unpack(new byte[] {0, -1, -1, -1, 127}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("packed features announce 2147483647 values in 0 bytes");
    // One value at position 0, a palette of one, and an index past it.
    assertThatThrownBy(() -> unpack(new byte[] {2, 1, 0, 0, 0, 1, 0, 0, 0, (byte) 0x80, 63, 1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("packed features refer to palette entry 1 of 1 for non-zero value 0");
    // Three values, and a bitmap that marks a fourth.
    assertThatThrownBy(() -> unpack(new byte[] {1, 3, 0, 0, 0, 8}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("packed features mark positions past their length 3");
  }

  @Test
  void shouldReadAnArrayHoldingOneVectorAndNothingElse() {
    float[] image = imageLike(new SplittableRandom(10), 64);
    byte[] packed = packer.pack(image);
    // pack(float[]) reuses its scratch buffer: a shorter vector after a longer one is exact
    byte[] shorter = packer.pack(new float[] {0f, 0.5f});

    assertThat(PackedFeatures.unpack(packed)).isEqualTo(image);
    assertThat(PackedFeatures.unpack(shorter)).containsExactly(0f, 0.5f);
    byte[] longer = Arrays.copyOf(packed, packed.length + 2);
    assertThatThrownBy(() -> PackedFeatures.unpack(longer))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("packed features of " + longer.length + " bytes have 2 bytes left over");
  }

  private static float[] unpack(byte[] bytes) {
    return PackedFeatures.unpack(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
  }

  /** The size of the smallest of the three forms, computed from their definitions. */
  private static int smallest(float[] vector) {
    int bitmap = (vector.length + 7) / 8;
    int nonZero = nonZero(vector);
    long distinct = rawBits(vector).stream().filter(bits -> bits != 0).distinct().count();
    int raw = 4 * vector.length;
    int sparse = bitmap + 4 * nonZero;
    int palette =
        distinct > 0 && distinct <= PackedFeatures.MAX_PALETTE
            ? bitmap + 1 + 4 * (int) distinct + nonZero
            : Integer.MAX_VALUE;
    return 5 + Math.min(raw, Math.min(sparse, palette));
  }

  private static int nonZero(float[] vector) {
    return (int) rawBits(vector).stream().filter(bits -> bits != 0).count();
  }

  private static List<Integer> rawBits(float[] vector) {
    List<Integer> bits = new ArrayList<>();
    for (float value : vector) {
      bits.add(Float.floatToRawIntBits(value));
    }
    return bits;
  }

  private static float[] dense(SplittableRandom random, int length) {
    float[] vector = new float[length];
    for (int i = 0; i < length; i++) {
      vector[i] = (float) random.nextGaussian();
    }
    return vector;
  }

  /** Nine in ten values zero, the rest arbitrary. */
  private static float[] sparse(SplittableRandom random, int length) {
    float[] vector = new float[length];
    for (int i = 0; i < length; i++) {
      vector[i] = random.nextInt(10) == 0 ? (float) random.nextGaussian() : 0f;
    }
    return vector;
  }

  /** Half zeros, the rest pixel values k / 255, as in Fashion-MNIST. */
  private static float[] imageLike(SplittableRandom random, int length) {
    float[] vector = new float[length];
    for (int i = 0; i < length; i++) {
      vector[i] = random.nextBoolean() ? 0f : (1 + random.nextInt(255)) / 255f;
    }
    return vector;
  }

  /** {@code distinct} different non-zero values, repeated over the vector. */
  private static float[] withDistinctValues(int length, int distinct) {
    float[] vector = new float[length];
    for (int i = 0; i < length; i++) {
      vector[i] = 1 + i % distinct;
    }
    return vector;
  }
}
