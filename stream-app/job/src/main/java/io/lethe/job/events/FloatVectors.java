package io.lethe.job.events;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink type information for feature vectors kept in state as {@code float[]}, serialized packed by
 * {@link PackedVectorSerializer}: the {@link io.lethe.job.ledger.LedgerEntry#features} of entries
 * written before the job carried features packed. A field opts in with its {@link
 * PackedVectorFactory}.
 */
public final class FloatVectors extends TypeInformation<float[]> {
  private static final long serialVersionUID = 1L;

  /** A vector kept in state: packed ({@link PackedVectorSerializer}). */
  public static final FloatVectors PACKED = new FloatVectors();

  private FloatVectors() {}

  /** For {@code @TypeInfo} on a {@code float[]} field of a type kept in state. */
  public static final class PackedVectorFactory extends TypeInfoFactory<float[]> {
    @Override
    public TypeInformation<float[]> createTypeInfo(
        Type type, Map<String, TypeInformation<?>> genericParameters) {
      return PACKED;
    }
  }

  @Override
  public boolean isBasicType() {
    return false;
  }

  @Override
  public boolean isTupleType() {
    return false;
  }

  @Override
  public int getArity() {
    return 1;
  }

  @Override
  public int getTotalFields() {
    return 1;
  }

  @Override
  public Class<float[]> getTypeClass() {
    return float[].class;
  }

  @Override
  public boolean isKeyType() {
    return false;
  }

  @Override
  public TypeSerializer<float[]> createSerializer(SerializerConfig config) {
    return new PackedVectorSerializer();
  }

  @Override
  public String toString() {
    return "float[] (packed)";
  }

  @Override
  public boolean equals(Object obj) {
    return obj instanceof FloatVectors;
  }

  @Override
  public int hashCode() {
    return FloatVectors.class.hashCode();
  }

  @Override
  public boolean canEqual(Object obj) {
    return obj instanceof FloatVectors;
  }

  private Object readResolve() {
    return PACKED;
  }
}
