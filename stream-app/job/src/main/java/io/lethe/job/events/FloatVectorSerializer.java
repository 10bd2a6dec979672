package io.lethe.job.events;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.array.FloatPrimitiveArraySerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializes a {@code float[]} in the same bytes as Flink's {@link FloatPrimitiveArraySerializer}
 * (length, then big-endian floats), but copies the floats in bulk through a byte buffer instead of
 * one {@code writeFloat} call each, which is clearly faster ({@code FeatureCodecBenchmark},
 * docs/benchmarks.md#feature-codecs).
 *
 * <p>The job no longer writes it: its events carry features packed ({@link
 * io.lethe.learners.data.PackedFeatures}). It stays to restore ledger entries that earlier versions
 * of the job wrote with it, which {@link PackedVectorSerializer} migrates.
 *
 * <p>Holds a scratch buffer, so each thread needs its own copy ({@link #duplicate}). Because the
 * bytes are the same, state written with Flink's serializer is read as is (see {@link
 * Snapshot#resolveSchemaCompatibility}).
 */
public final class FloatVectorSerializer extends VectorSerializerBase {
  private static final long serialVersionUID = 1L;

  private transient ByteBuffer scratch;

  @Override
  public TypeSerializer<float[]> duplicate() {
    return new FloatVectorSerializer();
  }

  @Override
  public void serialize(float[] record, DataOutputView target) throws IOException {
    if (record == null) {
      throw new IllegalArgumentException("a null float[] cannot be serialized");
    }
    target.writeInt(record.length);
    ByteBuffer bytes = scratch(record.length);
    bytes.asFloatBuffer().put(record);
    target.write(bytes.array(), 0, record.length * Float.BYTES);
  }

  @Override
  public float[] deserialize(DataInputView source) throws IOException {
    int length = source.readInt();
    ByteBuffer bytes = scratch(length);
    source.readFully(bytes.array(), 0, length * Float.BYTES);
    float[] values = new float[length];
    bytes.asFloatBuffer().get(values);
    return values;
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    int length = source.readInt();
    target.writeInt(length);
    target.write(source, length * Float.BYTES);
  }

  /** A big-endian buffer of at least {@code floats} floats, positioned at 0. */
  private ByteBuffer scratch(int floats) {
    if (floats < 0) {
      throw new IllegalArgumentException("negative float[] length " + floats);
    }
    int needed = floats * Float.BYTES;
    if (scratch == null || scratch.capacity() < needed) {
      scratch = ByteBuffer.allocate(Math.max(needed, 4096)).order(ByteOrder.BIG_ENDIAN);
    }
    return scratch.clear();
  }

  @Override
  public boolean equals(Object obj) {
    return obj instanceof FloatVectorSerializer;
  }

  @Override
  public int hashCode() {
    return FloatVectorSerializer.class.hashCode();
  }

  @Override
  public TypeSerializerSnapshot<float[]> snapshotConfiguration() {
    return new Snapshot();
  }

  /** The serializer has no configuration; it reads what Flink's float[] serializer wrote. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<float[]> {
    /** For Flink, which restores snapshots reflectively. */
    public Snapshot() {
      super(FloatVectorSerializer::new);
    }

    @Override
    public TypeSerializerSchemaCompatibility<float[]> resolveSchemaCompatibility(
        TypeSerializerSnapshot<float[]> oldSnapshot) {
      if (oldSnapshot
          instanceof FloatPrimitiveArraySerializer.FloatPrimitiveArraySerializerSnapshot) {
        return TypeSerializerSchemaCompatibility.compatibleAsIs();
      }
      return super.resolveSchemaCompatibility(oldSnapshot);
    }
  }
}
