package io.lethe.learners.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
  @TempDir Path dir;

  @Test
  void shouldReadGzippedImagesScaledToUnitRangeAndLabels() throws IOException {
    Path images = dir.resolve("images-idx3-ubyte.gz");
    try (DataOutputStream out =
        new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(images)))) {
      out.writeInt(0x00000803);
      out.writeInt(2);
      out.writeInt(1);
      out.writeInt(2);
      out.write(new byte[] {0, (byte) 255, (byte) 51, (byte) 128});
    }
    Path labels = dir.resolve("labels-idx1-ubyte");
    try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(labels))) {
      out.writeInt(0x00000801);
      out.writeInt(2);
      out.write(new byte[] {9, (byte) 200});
    }
    float[][] rows = IdxReader.readImages(images);
    assertThat(rows).hasDimensions(2, 2);
    assertThat(rows[0]).containsExactly(0f, 1f);
    assertThat(rows[1]).containsExactly(51 / 255f, 128 / 255f);
    assertThat(IdxReader.readLabels(labels)).containsExactly(9, 200);
  }

  @Test
  void shouldRejectAFileThatIsNotIdx() throws IOException {
    Path file = dir.resolve("bogus-idx1-ubyte");
    Files.write(file, new byte[] {1, 2, 3, 4, 0, 0, 0, 0});
    assertThatThrownBy(() -> IdxReader.readLabels(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("is not an IDX file of unsigned bytes with 1 dimensions");
  }

  @Test
  void shouldSayHowToInstallFashionMnistWhenItIsMissing() {
    assertThatThrownBy(() -> FashionMnist.load(dir))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(
            "sudo apt-get update && sudo apt-get install -y dataset-fashion-mnist")
        .hasMessageContaining("LETHE_FASHION_MNIST_DIR");
  }
}
