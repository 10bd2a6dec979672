package io.lethe.learners.snapshot;

import io.lethe.records.Tensor;
import io.lethe.records.TensorDType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Encodes and decodes snapshot tensors: row-major, little-endian, with a finiteness guard. */
public final class SnapshotTensors {
  private SnapshotTensors() {}

  /**
   * A FLOAT64 tensor of the given shape from row-major values.
   *
   * @throws NonFiniteWeightsException if a value is NaN or infinite
   */
  public static Tensor float64(String name, double[] values, long... shape) {
    long expected = elementCount(shape);
    if (expected != values.length) {
      throw new IllegalArgumentException(
          "tensor "
              + name
              + " has "
              + values.length
              + " values, shape "
              + Arrays.toString(shape)
              + " needs "
              + expected);
    }
    ByteBuffer bytes = ByteBuffer.allocate(Math.multiplyExact(values.length, Double.BYTES));
    bytes.order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < values.length; i++) {
      double v = values[i];
      if (!Double.isFinite(v)) {
        throw new NonFiniteWeightsException(name, i, v);
      }
      bytes.putDouble(v);
    }
    bytes.flip();
    List<Long> dims = new ArrayList<>(shape.length);
    for (long d : shape) {
      dims.add(d);
    }
    return Tensor.newBuilder()
        .setName(name)
        .setDtype(TensorDType.FLOAT64)
        .setShape(dims)
        .setData(bytes)
        .build();
  }

  /**
   * Reads a FLOAT64 tensor's values after checking its dtype, shape and byte count.
   *
   * @throws IllegalArgumentException naming the tensor when anything does not match
   */
  public static double[] readFloat64(Tensor tensor, long... expectedShape) {
    if (tensor.getDtype() != TensorDType.FLOAT64) {
      throw new IllegalArgumentException(
          "tensor " + tensor.getName() + " has dtype " + tensor.getDtype() + ", expected FLOAT64");
    }
    long[] shape = tensor.getShape().stream().mapToLong(Long::longValue).toArray();
    if (!Arrays.equals(shape, expectedShape)) {
      throw new IllegalArgumentException(
          "tensor "
              + tensor.getName()
              + " has shape "
              + Arrays.toString(shape)
              + ", expected "
              + Arrays.toString(expectedShape));
    }
    ByteBuffer data = tensor.getData().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long count = elementCount(shape);
    if (data.remaining() != count * Double.BYTES) {
      throw new IllegalArgumentException(
          "tensor "
              + tensor.getName()
              + " has "
              + data.remaining()
              + " bytes, expected "
              + count * Double.BYTES);
    }
    double[] values = new double[Math.toIntExact(count)];
    data.asDoubleBuffer().get(values);
    return values;
  }

  /** Finds a tensor by name. */
  public static Tensor find(List<Tensor> tensors, String name) {
    return tensors.stream()
        .filter(t -> t.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("snapshot has no tensor named " + name));
  }

  private static long elementCount(long[] shape) {
    long count = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
      }
      count = Math.multiplyExact(count, d);
    }
    return count;
  }
}
