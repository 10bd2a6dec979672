package io.lethe.schemas.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.records.ErasureGuarantee;
import io.lethe.records.ErasureReceipt;
import io.lethe.records.ErasureScope;
import io.lethe.records.ModelErasure;
import io.lethe.records.ReceiptStatus;
import io.lethe.schemas.snapshot.TrustedKeys.Check;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReceiptSignerTest {
  @TempDir Path dir;

  @Test
  void shouldVerifyAReceiptSignedByATrustedKey() {
    SigningKeys.GeneratedKeys keys = SigningKeys.generate(dir);
    ErasureReceipt receipt = receipt();

    ReceiptSigner.fromFile(keys.privateKey()).sign(receipt);

    assertThat(receipt.getSigningKeyId()).isEqualTo(keys.keyId());
    assertThat(receipt.getSignature().remaining()).isEqualTo(64);
    assertThat(TrustedKeys.load(List.of(keys.publicKey())).check(receipt)).isEqualTo(Check.VALID);
  }

  @Test
  void shouldSignTheSameReceiptTheSameWay() {
    ReceiptSigner signer = ReceiptSigner.fromFile(SigningKeys.generate(dir).privateKey());
    ErasureReceipt a = receipt();
    ErasureReceipt b = receipt();
    signer.sign(a);
    signer.sign(b);

    assertThat(a.getSignature()).isEqualTo(b.getSignature());
  }

  @Test
  void shouldRefuseAReceiptWithAnyFieldChanged() {
    SigningKeys.GeneratedKeys keys = SigningKeys.generate(dir);
    TrustedKeys trusted = TrustedKeys.load(List.of(keys.publicKey()));
    ReceiptSigner signer = ReceiptSigner.fromFile(keys.privateKey());

    ErasureReceipt guarantee = receipt();
    signer.sign(guarantee);
    guarantee.getModels().get(0).setGuarantee(ErasureGuarantee.EXACT);
    assertThat(trusted.check(guarantee)).isEqualTo(Check.BAD_SIGNATURE);

    ErasureReceipt version = receipt();
    signer.sign(version);
    version.getModels().get(1).setFirstVersionWithout(6L);
    assertThat(trusted.check(version)).isEqualTo(Check.BAD_SIGNATURE);

    ErasureReceipt requestId = receipt();
    signer.sign(requestId);
    requestId.setRequestId("req-2");
    assertThat(trusted.check(requestId)).isEqualTo(Check.BAD_SIGNATURE);
  }

  @Test
  void shouldReportAnUnknownKeyAndAnUnsignedReceipt() {
    SigningKeys.GeneratedKeys trusted = SigningKeys.generate(dir.resolve("trusted"));
    SigningKeys.GeneratedKeys other = SigningKeys.generate(dir.resolve("other"));
    TrustedKeys keys = TrustedKeys.load(List.of(trusted.publicKey()));
    ErasureReceipt byOther = receipt();
    ReceiptSigner.fromFile(other.privateKey()).sign(byOther);

    assertThat(keys.check(byOther)).isEqualTo(Check.UNKNOWN_KEY);
    assertThat(keys.check(receipt())).isEqualTo(Check.UNSIGNED);
  }

  @Test
  void shouldStayCompatibleBothWaysWithTheSchemaBeforeSignatures() {
    Schema before = ReceiptEncoding.CANONICAL;
    Schema now = ErasureReceipt.getClassSchema();
    assertThat(now.getFields()).hasSize(before.getFields().size() + 2);
    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(now, before).getType())
        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(before, now).getType())
        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
  }

  static ErasureReceipt receipt() {
    Instant requested = Instant.parse("2026-01-02T03:04:05Z");
    return ErasureReceipt.newBuilder()
        .setRequestId("req-1")
        .setScope(ErasureScope.SUBJECT)
        .setRequester("dpo@example.com")
        .setStatus(ReceiptStatus.COMPLETED)
        .setModels(
            List.of(
                model("fraud", ErasureGuarantee.APPROXIMATE, 7L, requested),
                model("churn", ErasureGuarantee.EXACT, 5L, requested)))
        .setRequestedAt(requested)
        .setCompletedAt(requested.plusMillis(1500))
        .setLatencyMs(1500)
        .build();
  }

  private static ModelErasure model(
      String name, ErasureGuarantee guarantee, long version, Instant at) {
    return ModelErasure.newBuilder()
        .setModel(name)
        .setGuarantee(guarantee)
        .setFirstVersionWithout(version)
        .setAppliedAt(at.plusMillis(1000))
        .build();
  }
}
