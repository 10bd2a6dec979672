package io.lethe.job.events;

import org.apache.flink.api.common.typeutils.SerializerTestBase;

/**
 * Flink's serializer contract tests over the vectors every {@code float[]} serializer of the job
 * must carry: empty, special values, a dense 784-feature vector, one longer than the serializers'
 * first scratch buffer, and a single value.
 */
abstract class VectorSerializerContractTest extends SerializerTestBase<float[]> {
  @Override
  protected final int getLength() {
    return -1;
  }

  @Override
  protected final Class<float[]> getTypeClass() {
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
      {}, {Float.NaN, -0f, Float.MIN_VALUE, Float.NEGATIVE_INFINITY}, dense, wide, {42f}
    };
  }
}
