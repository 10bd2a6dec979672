package io.lethe.learners.bench;

import io.lethe.learners.data.PackedFeatures;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Packing one Fashion-MNIST image ({@link PackedFeatures#pack}), as the job's ledger does for each
 * sample it keeps and the analytic learner for each row of its checkpoint journal, against writing
 * the same floats unpacked into the same buffer (the baseline). The images are the first {@value
 * #IMAGES} of the training file, taken in turn, so that they stay in the cache as a row the
 * operator has just received does.
 *
 * <p>{@code ./lethe bench-learners -f 1 PackedFeaturesBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PackedFeaturesBenchmark {
  private static final int IMAGES = 1024;

  private float[][] images;
  private int next;
  private final PackedFeatures packer = new PackedFeatures();
  private ByteBuffer buffer;

  @Setup
  public void setUp() {
    images = BenchData.fashionMnist("i", IMAGES).rows;
    buffer =
        ByteBuffer.allocate(PackedFeatures.maxPackedBytes(BenchData.INPUT_DIM))
            .order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Baseline: the image's floats copied into the buffer as they are. */
  @Benchmark
  public int writeFloats() {
    float[] image = nextImage();
    buffer.clear();
    buffer.asFloatBuffer().put(image);
    return buffer.get(next);
  }

  /** The image packed into the buffer. */
  @Benchmark
  public int pack() {
    buffer.clear();
    return packer.pack(nextImage(), buffer);
  }

  private float[] nextImage() {
    next = (next + 1) % IMAGES;
    return images[next];
  }
}
