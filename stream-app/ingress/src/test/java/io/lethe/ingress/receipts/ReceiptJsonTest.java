package io.lethe.ingress.receipts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lethe.records.ErasureGuarantee;
import io.lethe.records.ErasureReceipt;
import io.lethe.records.ErasureScope;
import io.lethe.records.ModelErasure;
import io.lethe.records.ReceiptStatus;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The status endpoint's JSON form of a receipt reads back field for field. */
class ReceiptJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A completed receipt of two models, one of them APPROXIMATE with a reason. */
  static ErasureReceipt receipt() {
    Instant requested = Instant.parse("2026-01-02T03:04:05.678Z");
    return ErasureReceipt.newBuilder()
        .setRequestId("r-1")
        .setScope(ErasureScope.TASK)
        .setRequester("dpo@example.com")
        .setStatus(ReceiptStatus.COMPLETED)
        .setModels(
            List.of(
                ModelErasure.newBuilder()
                    .setModel("fmnist-analytic")
                    .setGuarantee(ErasureGuarantee.EXACT)
                    .setFirstVersionWithout(7L)
                    .setAppliedAt(requested.plusMillis(900))
                    .build(),
                ModelErasure.newBuilder()
                    .setModel("fmnist-hypernet")
                    .setGuarantee(ErasureGuarantee.APPROXIMATE)
                    .setReason("noise alignment")
                    .setFirstVersionWithout(12L)
                    .setAppliedAt(requested.plusMillis(1000))
                    .build()))
        .setRequestedAt(requested)
        .setCompletedAt(requested.plusMillis(1500))
        .setLatencyMs(1500)
        .build();
  }

  @Test
  void shouldReadBackWhatItWrote() throws Exception {
    ErasureReceipt signed = receipt();
    signed.setSignature(ByteBuffer.wrap(new byte[] {1, 2, 3, -4}));
    signed.setSigningKeyId("0123456789abcdef");
    ErasureReceipt rejected = receipt();
    rejected.setStatus(ReceiptStatus.REJECTED);
    rejected.setReason("erasure request r-1 has no ids");
    rejected.setModels(List.of());

    for (ErasureReceipt receipt : List.of(receipt(), signed, rejected)) {
      String text = JSON.writeValueAsString(ReceiptJson.write(receipt, JSON.createObjectNode()));
      assertThat(ReceiptJson.read(JSON.readTree(text))).isEqualTo(receipt);
    }
  }

  @Test
  void shouldWriteTheSignatureInBase64AndNoSignatureFieldsWhenUnsigned() {
    ErasureReceipt signed = receipt();
    signed.setSignature(ByteBuffer.wrap(new byte[] {1, 2, 3, -4}));
    signed.setSigningKeyId("0123456789abcdef");

    ObjectNode json = ReceiptJson.write(signed, JSON.createObjectNode());
    ObjectNode unsigned = ReceiptJson.write(receipt(), JSON.createObjectNode());

    assertThat(json.get("signature").asText()).isEqualTo("AQID/A==");
    assertThat(json.get("signingKeyId").asText()).isEqualTo("0123456789abcdef");
    assertThat(json.get("models").get(1).get("firstVersionWithout").asLong()).isEqualTo(12);
    assertThat(unsigned.has("signature")).isFalse();
    assertThat(unsigned.has("signingKeyId")).isFalse();
  }

  @Test
  void shouldNameTheFieldThatIsWrong() {
    ObjectNode json = ReceiptJson.write(receipt(), JSON.createObjectNode());

    ObjectNode guarantee = json.deepCopy();
    ((ObjectNode) guarantee.get("models").get(1)).put("guarantee", "TOTAL");
    assertThatThrownBy(() -> ReceiptJson.read(guarantee))
        .hasMessage(
            "field 'models[1].guarantee' is 'TOTAL', expected one of [EXACT, APPROXIMATE,"
                + " REJECTED]");

    ObjectNode requestedAt = json.deepCopy().put("requestedAt", "yesterday");
    assertThatThrownBy(() -> ReceiptJson.read(requestedAt))
        .hasMessage(
            "field 'requestedAt' is not an ISO-8601 instant such as 2026-01-02T03:04:05.678Z");

    ObjectNode noRequester = json.deepCopy();
    noRequester.remove("requester");
    assertThatThrownBy(() -> ReceiptJson.read(noRequester))
        .hasMessage("field 'requester' is missing");

    ObjectNode badSignature = json.deepCopy().put("signature", "not base64!");
    assertThatThrownBy(() -> ReceiptJson.read(badSignature))
        .hasMessageStartingWith("field 'signature' is not base64");
  }
}
