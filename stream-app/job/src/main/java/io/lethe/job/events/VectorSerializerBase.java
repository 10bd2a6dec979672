package io.lethe.job.events;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputView;

/**
 * What the job's {@code float[]} serializers share: a vector is mutable, copied by cloning, of
 * variable length, and never reused when read.
 */
abstract class VectorSerializerBase extends TypeSerializer<float[]> {
  private static final long serialVersionUID = 1L;
  private static final float[] EMPTY = new float[0];

  @Override
  public final boolean isImmutableType() {
    return false;
  }

  @Override
  public final float[] createInstance() {
    return EMPTY;
  }

  @Override
  public final float[] copy(float[] from) {
    return from.clone();
  }

  @Override
  public final float[] copy(float[] from, float[] reuse) {
    return copy(from);
  }

  @Override
  public final int getLength() {
    return -1;
  }

  @Override
  public final float[] deserialize(float[] reuse, DataInputView source) throws IOException {
    return deserialize(source);
  }
}
