package io.lethe.job.events;

import io.lethe.learners.data.PackedFeatures;
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
 * Serializes a {@code float[]} in {@link PackedFeatures}' compact form, behind its byte count: for
 * feature vectors kept in state (the ledger's entries), where a Fashion-MNIST image takes about a
 * third of its float32 bytes. The job's events now carry the packed bytes themselves, so this
 * serializer only reads and writes the features of ledger entries from checkpoints taken before
 * ({@link io.lethe.job.ledger.LedgerEntry#features}).
 *
 * <p>Holds scratch buffers, so each thread needs its own copy ({@link #duplicate}). State written
 * with {@link FloatVectorSerializer} or Flink's {@code float[]} serializer is migrated on restore
 * (see {@link Snapshot#resolveSchemaCompatibility}).
 */
public final class PackedVectorSerializer extends VectorSerializerBase {
  private static final long serialVersionUID = 1L;

  private transient PackedFeatures packer;
  private transient ByteBuffer scratch;

  @Override
  public TypeSerializer<float[]> duplicate() {
    return new PackedVectorSerializer();
  }

  @Override
  public void serialize(float[] record, DataOutputView target) throws IOException {
    if (record == null) {
      throw new IllegalArgumentException("a null float[] cannot be serialized");
    }
    if (packer == null) {
      packer = new PackedFeatures();
    }
    ByteBuffer bytes = scratch(PackedFeatures.maxPackedBytes(record.length));
    int size = packer.pack(record, bytes);
    target.writeInt(size);
    target.write(bytes.array(), 0, size);
  }

  @Override
  public float[] deserialize(DataInputView source) throws IOException {
    int size = source.readInt();
    ByteBuffer bytes = scratch(size);
    source.readFully(bytes.array(), 0, size);
    bytes.limit(size);
    float[] values = PackedFeatures.unpack(bytes);
    if (bytes.hasRemaining()) {
      throw new IOException(
          "a packed float[] of " + size + " bytes has " + bytes.remaining() + " bytes left over");
    }
    return values;
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    int size = source.readInt();
    target.writeInt(size);
    target.write(source, size);
  }

  /** A little-endian buffer of at least {@code bytes} bytes, positioned at 0. */
  private ByteBuffer scratch(int bytes) throws IOException {
    if (bytes < 0) {
      throw new IOException("negative packed float[] size " + bytes);
    }
    if (scratch == null || scratch.capacity() < bytes) {
      scratch = ByteBuffer.allocate(Math.max(bytes, 4096)).order(ByteOrder.LITTLE_ENDIAN);
    }
    return scratch.clear();
  }

  @Override
  public boolean equals(Object obj) {
    return obj instanceof PackedVectorSerializer;
  }

  @Override
  public int hashCode() {
    return PackedVectorSerializer.class.hashCode();
  }

  @Override
  public TypeSerializerSnapshot<float[]> snapshotConfiguration() {
    return new Snapshot();
  }

  /** The serializer has no configuration; state of the plain {@code float[]} forms is migrated. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<float[]> {
    /** For Flink, which restores snapshots reflectively. */
    public Snapshot() {
      super(PackedVectorSerializer::new);
    }

    @Override
    public TypeSerializerSchemaCompatibility<float[]> resolveSchemaCompatibility(
        TypeSerializerSnapshot<float[]> oldSnapshot) {
      if (oldSnapshot instanceof FloatVectorSerializer.Snapshot
          || oldSnapshot
              instanceof FloatPrimitiveArraySerializer.FloatPrimitiveArraySerializerSnapshot) {
        return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
      }
      return super.resolveSchemaCompatibility(oldSnapshot);
    }
  }
}
