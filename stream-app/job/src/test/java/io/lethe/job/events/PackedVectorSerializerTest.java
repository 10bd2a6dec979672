package io.lethe.job.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
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
class PackedVectorSerializerTest extends VectorSerializerContractTest {
  @Override
  protected TypeSerializer<float[]> createSerializer() {
    return new PackedVectorSerializer();
  }

  @Override
  protected float[][] getTestData() {
    float[][] shared = super.getTestData();
    float[][] data = Arrays.copyOf(shared, shared.length + 1);
    data[shared.length] = image();
    return data;
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
