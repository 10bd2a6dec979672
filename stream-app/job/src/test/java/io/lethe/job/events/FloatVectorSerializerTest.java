package io.lethe.job.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.base.array.FloatPrimitiveArraySerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * Flink's own serializer contract tests, plus: the same bytes as Flink's float[] serializer, and
 * state written by it restores as is.
 */
class FloatVectorSerializerTest extends VectorSerializerContractTest {
  @Override
  protected TypeSerializer<float[]> createSerializer() {
    return new FloatVectorSerializer();
  }

  @Test
  void shouldWriteTheSameBytesAsFlinksFloatArraySerializer() throws IOException {
    for (float[] values : getTestData()) {
      DataOutputSerializer flinks = new DataOutputSerializer(64);
      FloatPrimitiveArraySerializer.INSTANCE.serialize(values, flinks);
      DataOutputSerializer ours = new DataOutputSerializer(64);
      new FloatVectorSerializer().serialize(values, ours);
      assertThat(ours.getCopyOfBuffer()).isEqualTo(flinks.getCopyOfBuffer());
    }
  }

  @Test
  void shouldReadStateWrittenByFlinksFloatArraySerializerAsIs() {
    TypeSerializerSchemaCompatibility<float[]> compatibility =
        new FloatVectorSerializer()
            .snapshotConfiguration()
            .resolveSchemaCompatibility(
                FloatPrimitiveArraySerializer.INSTANCE.snapshotConfiguration());
    assertThat(compatibility.isCompatibleAsIs()).isTrue();
  }
}
