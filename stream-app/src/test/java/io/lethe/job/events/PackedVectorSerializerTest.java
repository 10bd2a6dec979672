package io.lethe.job.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.array.FloatPrimitiveArraySerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * Flink's own serializer contract tests, plus: an image-like vector takes under half its float32
 * bytes, state of the plain forms is migrated, and corrupt bytes are refused.
 */
class PackedVectorSerializerTest extends SerializerTestBase<float[]> {
  @Override
  protected TypeSerializer<float[]> createSerializer() {
    return new PackedVectorSerializer();
  }

  @Override
  protected int getLength() {
    return -1;
  }

  @Override
  protected Class<float[]> getTypeClass() {
    return float[].class;
  }

  @Override
  protected float[][] getTestData() {
    float[] dense = new float[784];
    for (int i = 0; i < dense.length; i++) {
      dense[i] = (i % 7) / 255f - 0.01f * i;
    }
    // longer than the first scratch buffer, so it must grow
    float[] wide = new float[5000];
    wide[4999] = 1f;
    return new float[][] {
      {}, {Float.NaN, -0f, Float.MIN_VALUE, Float.NEGATIVE_INFINITY}, dense, image(), wide, {42f}
    };
  }

  /** Every other pixel zero, the others multiples of 1/255. */
  private static float[] image() {
    float[] pixels = new float[784];
    for (int i = 0; i < pixels.length; i += 2) {
      pixels[i] = (i * 37 % 255 + 1) / 255f;
    }
    return pixels;
  }

  @Test
  void shouldKeepAnImageInUnderHalfItsFloatBytes() throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    new PackedVectorSerializer().serialize(image(), out);
    assertThat(out.length()).isLessThan(784 * Float.BYTES / 2);
  }

  @Test
  void shouldMigrateStateWrittenAsPlainFloats() {
    for (TypeSerializerSnapshot<float[]> old :
        List.of(
            new FloatVectorSerializer().snapshotConfiguration(),
            FloatPrimitiveArraySerializer.INSTANCE.snapshotConfiguration())) {
      assertThat(
              new PackedVectorSerializer()
                  .snapshotConfiguration()
                  .resolveSchemaCompatibility(old)
                  .isCompatibleAfterMigration())
          .isTrue();
    }
    assertThat(
            new PackedVectorSerializer()
                .snapshotConfiguration()
                .resolveSchemaCompatibility(new PackedVectorSerializer().snapshotConfiguration())
                .isCompatibleAsIs())
        .isTrue();
  }

  @Test
  void shouldRefuseBytesLeftOverAfterTheVector() throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    out.writeInt(6);
    out.write(new byte[] {1, 0, 0, 0, 0, 7});
    DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
    assertThatThrownBy(() -> new PackedVectorSerializer().deserialize(in))
        .isInstanceOf(IOException.class)
        .hasMessage("a packed float[] of 6 bytes has 1 bytes left over");
  }
}
