package io.lethe.schemas.serde;

import java.util.AbstractList;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * A fixed-size {@code List<Float>} backed by a {@code float[]}, like {@link
 * java.util.Arrays#asList} for a primitive array: {@link #set} writes through, adding and removing
 * are not supported. {@link TrainingSampleReader} decodes a sample's features into one, so that
 * code that needs the floats takes {@link #array()} instead of unboxing them one by one.
 */
public final class FloatList extends AbstractList<Float> implements RandomAccess {
  private final float[] values;

  /** A list backed by {@code values} (not copied). */
  public FloatList(float[] values) {
    this.values = Objects.requireNonNull(values, "values");
  }

  /** The backing array, not a copy: writes to it show in the list. */
  public float[] array() {
    return values;
  }

  /** The value at {@code index}, unboxed. */
  public float getFloat(int index) {
    return values[index];
  }

  @Override
  public Float get(int index) {
    return values[index];
  }

  @Override
  public Float set(int index, Float value) {
    float old = values[index];
    values[index] = value;
    return old;
  }

  @Override
  public int size() {
    return values.length;
  }
}
