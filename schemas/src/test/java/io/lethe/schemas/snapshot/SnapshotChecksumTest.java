package io.lethe.schemas.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.records.LearnerKind;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.Setting;
import io.lethe.records.SnapshotLineage;
import io.lethe.records.TaskSamples;
import io.lethe.records.Tensor;
import io.lethe.records.TensorDType;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotChecksumTest {

  @Test
  void shouldVerifyASnapshotWhoseChecksumWasComputed() {
    ModelSnapshot snapshot = snapshot(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    String checksum = SnapshotChecksum.compute(snapshot);
    assertThat(checksum).matches("[0-9a-f]{64}");
    assertThat(snapshot.getChecksum()).isEqualTo("unset"); // the caller's record is not touched
    snapshot.setChecksum(checksum);
    assertThat(SnapshotChecksum.verify(snapshot)).isTrue();
    assertThat(SnapshotChecksum.compute(snapshot)).isEqualTo(checksum);
  }

  @Test
  void shouldFailVerificationWhenATensorByteIsFlipped() {
    byte[] data = {1, 2, 3, 4, 5, 6, 7, 8};
    ModelSnapshot snapshot = snapshot(data);
    snapshot.setChecksum(SnapshotChecksum.compute(snapshot));
    data[3] ^= 0x01;
    snapshot.getTensors().get(0).setData(ByteBuffer.wrap(data));
    assertThat(SnapshotChecksum.verify(snapshot)).isFalse();
  }

  @Test
  void shouldFailVerificationWhenASettingChanges() {
    ModelSnapshot snapshot = snapshot(new byte[8]);
    snapshot.setChecksum(SnapshotChecksum.compute(snapshot));
    snapshot.getScoring().get(0).setValue("43");
    assertThat(SnapshotChecksum.verify(snapshot)).isFalse();
  }

  @Test
  void shouldKeepTheChecksumThatSnapshotsHadBeforeTheyCouldBeSigned() {
    // a snapshot written before the signature fields existed must still verify after an upgrade
    assertThat(SnapshotChecksum.compute(snapshot(new byte[] {1, 2, 3, 4, 5, 6, 7, 8})))
        .isEqualTo("f4173148968548f2cd720dd7e6490b241484b603bcc5b4ee17be701fe90bef23");
  }

  /** A small analytic snapshot with {@code data} as its one tensor; the checksum is unset. */
  static ModelSnapshot snapshot(byte[] data) {
    return ModelSnapshot.newBuilder()
        .setModel("fmnist-analytic")
        .setLearner(LearnerKind.ANALYTIC)
        .setVersion(3)
        .setCreatedAt(Instant.ofEpochMilli(1_700_000_000_000L))
        .setTensors(
            List.of(
                Tensor.newBuilder()
                    .setName("head.weight")
                    .setDtype(TensorDType.FLOAT64)
                    .setShape(List.of(1L, 1L))
                    .setData(ByteBuffer.wrap(data))
                    .build()))
        .setScoring(List.of(new Setting("seed", "42")))
        .setLineage(
            SnapshotLineage.newBuilder()
                .setPreviousVersion(2L)
                .setSamplesPerTask(List.of(new TaskSamples("0", 12000L)))
                .setErasedTasks(List.of())
                .setErasuresReflected(List.of("e-1"))
                .build())
        .setChecksum("unset")
        .build();
  }
}
