package io.lethe.learners.hypernet.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.lethe.records.Tensor;
import io.lethe.records.TensorDType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Converts float32 NDArrays to snapshot tensors (row-major, little-endian) and back. */
public final class TensorCodec {

  private TensorCodec() {}

  /** Encodes already-read float values with their shape. */
  public static Tensor encode(String name, Shape shape, float[] values) {
    ByteBuffer bytes =
        ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    List<Long> dims = new ArrayList<>();
    for (long dim : shape.getShape()) {
      dims.add(dim);
    }
    return Tensor.newBuilder()
        .setName(name)
        .setDtype(TensorDType.FLOAT32)
        .setShape(dims)
        .setData(bytes)
        .build();
  }

  /**
   * Decodes a FLOAT32 tensor into an array of {@code manager}, checking dtype, shape and size.
   *
   * @throws IllegalArgumentException naming the tensor and what is wrong
   */
  public static NDArray decode(Tensor tensor, Shape expected, NDManager manager) {
    if (tensor.getDtype() != TensorDType.FLOAT32) {
      throw new IllegalArgumentException(
          "snapshot tensor "
              + tensor.getName()
              + " has dtype "
              + tensor.getDtype()
              + ", expected FLOAT32");
    }
    long[] dims = tensor.getShape().stream().mapToLong(Long::longValue).toArray();
    Shape shape = new Shape(dims);
    if (!shape.equals(expected)) {
      throw new IllegalArgumentException(
          "snapshot tensor " + tensor.getName() + " has shape " + shape + ", expected " + expected);
    }
    ByteBuffer data = tensor.getData().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long expectedBytes = expected.size() * Float.BYTES;
    if (data.remaining() != expectedBytes) {
      throw new IllegalArgumentException(
          "snapshot tensor "
              + tensor.getName()
              + " has "
              + data.remaining()
              + " bytes, expected "
              + expectedBytes);
    }
    float[] values = new float[(int) expected.size()];
    data.asFloatBuffer().get(values);
    return manager.create(values, expected);
  }

  /** Index of the first NaN or infinite value, or -1 if all are finite. */
  public static int firstNonFinite(float[] values) {
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        return i;
      }
    }
    return -1;
  }
}
