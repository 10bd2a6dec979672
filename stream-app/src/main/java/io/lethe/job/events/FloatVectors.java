package io.lethe.job.events;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.ObjectArrayTypeInfo;

/**
 * Flink type information for the job's feature vectors ({@code float[]}) and batches of them
 * ({@code float[][]}), serialized by {@link FloatVectorSerializer}, and for vectors kept in state,
 * serialized packed by {@link PackedVectorSerializer}. POJO fields opt in with
 * {@code @TypeInfo(FloatVectors.VectorFactory.class)},
 * {@code @TypeInfo(FloatVectors.MatrixFactory.class)} or
 * {@code @TypeInfo(FloatVectors.PackedVectorFactory.class)}.
 */
public final class FloatVectors extends TypeInformation<float[]> {
  private static final long serialVersionUID = 1L;

  /** A vector on its way between operators. */
  public static final FloatVectors VECTOR = new FloatVectors(false);

  /** A vector kept in state: packed ({@link PackedVectorSerializer}). */
  public static final FloatVectors PACKED = new FloatVectors(true);

  /** {@code float[][]}: an object array of {@link #VECTOR}s. */
  public static final TypeInformation<float[][]> MATRIX =
      ObjectArrayTypeInfo.getInfoFor(float[][].class, VECTOR);

  private final boolean packed;

  private FloatVectors(boolean packed) {
    this.packed = packed;
  }

  /** For {@code @TypeInfo} on a {@code float[]} field. */
  public static final class VectorFactory extends TypeInfoFactory<float[]> {
    @Override
    public TypeInformation<float[]> createTypeInfo(
        Type type, Map<String, TypeInformation<?>> genericParameters) {
      return VECTOR;
    }
  }

  /** For {@code @TypeInfo} on a {@code float[]} field of a type kept in state. */
  public static final class PackedVectorFactory extends TypeInfoFactory<float[]> {
    @Override
    public TypeInformation<float[]> createTypeInfo(
        Type type, Map<String, TypeInformation<?>> genericParameters) {
      return PACKED;
    }
  }

  /** For {@code @TypeInfo} on a {@code float[][]} field. */
  public static final class MatrixFactory extends TypeInfoFactory<float[][]> {
    @Override
    public TypeInformation<float[][]> createTypeInfo(
        Type type, Map<String, TypeInformation<?>> genericParameters) {
      return MATRIX;
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
    return packed ? new PackedVectorSerializer() : new FloatVectorSerializer();
  }

  @Override
  public String toString() {
    return packed ? "float[] (packed)" : "float[] (bulk)";
  }

  @Override
  public boolean equals(Object obj) {
    return obj instanceof FloatVectors other && other.packed == packed;
  }

  @Override
  public int hashCode() {
    return Boolean.hashCode(packed);
  }

  @Override
  public boolean canEqual(Object obj) {
    return obj instanceof FloatVectors;
  }

  private Object readResolve() {
    return packed ? PACKED : VECTOR;
  }
}
