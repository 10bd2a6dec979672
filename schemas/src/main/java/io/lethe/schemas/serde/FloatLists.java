package io.lethe.schemas.serde;

import java.util.List;
import org.apache.avro.generic.PrimitivesArrays;

/**
 * Reads the {@code List<Float>} of a decoded {@code array<float>} field without boxing when it is
 * the primitive list {@link SpecificAvroDeserializer} produces, and element by element otherwise
 * (e.g. a record built in code).
 */
public final class FloatLists {
  private FloatLists() {}

  /**
   * The values as a new {@code float[]}.
   *
   * @throws NullPointerException if an element is null
   */
  public static float[] toArray(List<Float> values) {
    float[] array = new float[values.size()];
    if (values instanceof PrimitivesArrays.FloatArray floats) {
      for (int i = 0; i < array.length; i++) {
        array[i] = floats.getFloat(i);
      }
    } else {
      for (int i = 0; i < array.length; i++) {
        array[i] = values.get(i);
      }
    }
    return array;
  }

  /** The index of the first element that is null, NaN or infinite, or -1 if there is none. */
  public static int firstNonFinite(List<Float> values) {
    if (values instanceof PrimitivesArrays.FloatArray floats) {
      for (int i = 0; i < floats.size(); i++) {
        if (!Float.isFinite(floats.getFloat(i))) {
          return i;
        }
      }
      return -1;
    }
    for (int i = 0; i < values.size(); i++) {
      Float value = values.get(i);
      if (value == null || !Float.isFinite(value)) {
        return i;
      }
    }
    return -1;
  }
}
