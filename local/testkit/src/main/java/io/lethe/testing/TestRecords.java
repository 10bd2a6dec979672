package io.lethe.testing;

import io.lethe.records.DeadLetter;
import io.lethe.records.DeadLetterKind;
import io.lethe.records.ErasureAffected;
import io.lethe.records.ErasureApplied;
import io.lethe.records.ErasureGuarantee;
import io.lethe.records.ErasureReceipt;
import io.lethe.records.ErasureRequest;
import io.lethe.records.ErasureScope;
import io.lethe.records.LearnerKind;
import io.lethe.records.ModelErasure;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.ReceiptStatus;
import io.lethe.records.Setting;
import io.lethe.records.SnapshotLineage;
import io.lethe.records.TaskSamples;
import io.lethe.records.Tensor;
import io.lethe.records.TensorDType;
import io.lethe.records.TrainingSample;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One valid, fully populated instance of each of Lethe's records, for tests. */
public final class TestRecords {
  /** A fixed instant, truncated to milliseconds as {@code timestamp-millis} stores it. */
  public static final Instant T0 = Instant.parse("2026-11-26T10:15:30.123Z");

  private TestRecords() {}

  /** A training sample of subject {@code subject} with three features. */
  public static TrainingSample trainingSample(String sampleId, String subject) {
    return TrainingSample.newBuilder()
        .setSampleId(sampleId)
        .setSubjectId(subject)
        .setDataset("fashion-mnist")
        .setTask("0")
        .setFeatures(List.of(0.0f, 0.5f, 1.0f))
        .setLabel(1)
        .setEventTime(T0)
        .setAttributes(Map.of("source", "test"))
        .build();
  }

  /** A SUBJECT-scope erasure of {@code subject}. */
  public static ErasureRequest erasureRequest(String requestId, String subject) {
    return ErasureRequest.newBuilder()
        .setRequestId(requestId)
        .setScope(ErasureScope.SUBJECT)
        .setIds(List.of(subject))
        .setDataset("fashion-mnist")
        .setModels(List.of("fmnist-analytic"))
        .setRequestedAt(T0)
        .setRequester("privacy-system")
        .build();
  }

  /** A two-tensor analytic snapshot (the checksum field is a placeholder). */
  public static ModelSnapshot modelSnapshot(String model, long version) {
    ByteBuffer weights = ByteBuffer.allocate(4 * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    weights.putDouble(0.25).putDouble(-1.5).putDouble(3.0).putDouble(0.0).flip();
    ByteBuffer classes = ByteBuffer.allocate(2 * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    classes.putInt(0).putInt(1).flip();
    return ModelSnapshot.newBuilder()
        .setModel(model)
        .setLearner(LearnerKind.ANALYTIC)
        .setVersion(version)
        .setCreatedAt(T0)
        .setTensors(
            List.of(
                new Tensor("head.weight", TensorDType.FLOAT64, List.of(2L, 2L), weights),
                new Tensor("classes", TensorDType.INT32, List.of(2L), classes)))
        .setScoring(List.of(new Setting("seed", "42"), new Setting("buffer-size", "2")))
        .setLineage(
            SnapshotLineage.newBuilder()
                .setPreviousVersion(version > 1 ? version - 1 : null)
                .setSamplesPerTask(List.of(new TaskSamples("0", 1200L), new TaskSamples("1", 800L)))
                .setErasedTasks(List.of())
                .setErasuresReflected(List.of("req-1"))
                .build())
        .setChecksum("0".repeat(64))
        .build();
  }

  /** The job's decision that a request affects two models. */
  public static ErasureAffected erasureAffected(String requestId) {
    return ErasureAffected.newBuilder()
        .setRequestId(requestId)
        .setScope(ErasureScope.SUBJECT)
        .setModels(List.of("fmnist-analytic", "fmnist-hypernet"))
        .setSamplesFound(12)
        .setDecidedAt(T0.plusMillis(5))
        .build();
  }

  /** An EXACT erasure confirmation. */
  public static ErasureApplied erasureApplied(String requestId, String model) {
    return ErasureApplied.newBuilder()
        .setRequestId(requestId)
        .setModel(model)
        .setGuarantee(ErasureGuarantee.EXACT)
        .setReason(null)
        .setFirstVersionWithout(7L)
        .setSamplesErased(3)
        .setAppliedAt(T0.plusMillis(40))
        .build();
  }

  /** A completed receipt covering two models. */
  public static ErasureReceipt erasureReceipt(String requestId) {
    return ErasureReceipt.newBuilder()
        .setRequestId(requestId)
        .setScope(ErasureScope.SUBJECT)
        .setRequester("privacy-system")
        .setStatus(ReceiptStatus.COMPLETED)
        .setReason(null)
        .setModels(
            List.of(
                new ModelErasure("fmnist-analytic", ErasureGuarantee.EXACT, null, 7L, T0),
                new ModelErasure(
                    "fmnist-hypernet",
                    ErasureGuarantee.REJECTED,
                    "sample-level erasure is not supported by the hypernetwork learner",
                    null,
                    T0)))
        .setRequestedAt(T0)
        .setCompletedAt(T0.plusMillis(250))
        .setLatencyMs(250)
        .build();
  }

  /** A dead letter for a record that could not be decoded. */
  public static DeadLetter deadLetter() {
    return DeadLetter.newBuilder()
        .setSourceTopic("lethe.samples.raw")
        .setSourcePartition(2)
        .setSourceOffset(1234L)
        .setKind(DeadLetterKind.MALFORMED)
        .setReason("unknown magic byte 0x7b (expected 0x00): not Confluent-framed Avro")
        .setComponent("ingress")
        .setKey(ByteBuffer.wrap(new byte[] {'s', '1'}))
        .setValue(ByteBuffer.wrap(new byte[] {'{', '}'}))
        .setRejectedAt(T0)
        .build();
  }
}
