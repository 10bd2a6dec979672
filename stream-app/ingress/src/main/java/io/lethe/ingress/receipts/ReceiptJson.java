package io.lethe.ingress.receipts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lethe.records.ErasureGuarantee;
import io.lethe.records.ErasureReceipt;
import io.lethe.records.ErasureScope;
import io.lethe.records.ModelErasure;
import io.lethe.records.ReceiptStatus;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * An {@link ErasureReceipt} as the erasure status endpoint shows a finished request, and back:
 * every field of the receipt, times as ISO-8601 instants, enums by name and the signature in
 * base64. Reading what {@link #write} wrote gives the receipt back field for field, so a receipt
 * fetched over HTTP or saved to a file can be checked against its signature ({@code lethe
 * verify-receipt}).
 */
public final class ReceiptJson {
  private ReceiptJson() {}

  /** Writes {@code receipt}'s fields into {@code json}, the signature fields only when signed. */
  public static ObjectNode write(ErasureReceipt receipt, ObjectNode json) {
    json.put("requestId", receipt.getRequestId());
    json.put("status", receipt.getStatus().name());
    json.put("scope", receipt.getScope().name());
    json.put("requester", receipt.getRequester());
    json.put("reason", receipt.getReason());
    json.put("requestedAt", receipt.getRequestedAt().toString());
    json.put("completedAt", receipt.getCompletedAt().toString());
    json.put("latencyMs", receipt.getLatencyMs());
    ArrayNode models = json.putArray("models");
    for (ModelErasure model : receipt.getModels()) {
      ObjectNode m = models.addObject();
      m.put("model", model.getModel());
      m.put("guarantee", model.getGuarantee().name());
      m.put("reason", model.getReason());
      m.put("firstVersionWithout", model.getFirstVersionWithout());
      m.put("appliedAt", model.getAppliedAt().toString());
    }
    if (receipt.getSignature() != null) {
      ByteBuffer signature = receipt.getSignature().duplicate();
      byte[] bytes = new byte[signature.remaining()];
      signature.get(bytes);
      json.put("signature", Base64.getEncoder().encodeToString(bytes));
    }
    if (receipt.getSigningKeyId() != null) {
      json.put("signingKeyId", receipt.getSigningKeyId());
    }
    return json;
  }

  /**
   * The receipt in {@code json}, as {@link #write} writes it; other fields (such as a status
   * response's) are ignored.
   *
   * @throws IllegalArgumentException naming the field that is missing or not what it should be
   */
  public static ErasureReceipt read(JsonNode json) {
    if (json == null || !json.isObject()) {
      throw new IllegalArgumentException("a receipt is a JSON object");
    }
    JsonNode modelsJson = json.get("models");
    if (modelsJson == null || !modelsJson.isArray()) {
      throw new IllegalArgumentException("field 'models' is missing or not an array");
    }
    List<ModelErasure> models = new ArrayList<>();
    for (int i = 0; i < modelsJson.size(); i++) {
      JsonNode m = modelsJson.get(i);
      String where = "models[" + i + "].";
      if (!m.isObject()) {
        throw new IllegalArgumentException("field '" + where + "' is not an object");
      }
      models.add(
          ModelErasure.newBuilder()
              .setModel(text(m, where + "model", "model"))
              .setGuarantee(enumValue(ErasureGuarantee.class, m, where + "guarantee", "guarantee"))
              .setReason(optionalText(m, where + "reason", "reason"))
              .setFirstVersionWithout(
                  optionalLong(m, where + "firstVersionWithout", "firstVersionWithout"))
              .setAppliedAt(instant(m, where + "appliedAt", "appliedAt"))
              .build());
    }
    String signature = optionalText(json, "signature", "signature");
    ByteBuffer signatureBytes;
    try {
      signatureBytes =
          signature == null ? null : ByteBuffer.wrap(Base64.getDecoder().decode(signature));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("field 'signature' is not base64: " + e.getMessage());
    }
    return ErasureReceipt.newBuilder()
        .setRequestId(text(json, "requestId", "requestId"))
        .setScope(enumValue(ErasureScope.class, json, "scope", "scope"))
        .setRequester(text(json, "requester", "requester"))
        .setStatus(enumValue(ReceiptStatus.class, json, "status", "status"))
        .setReason(optionalText(json, "reason", "reason"))
        .setModels(models)
        .setRequestedAt(instant(json, "requestedAt", "requestedAt"))
        .setCompletedAt(instant(json, "completedAt", "completedAt"))
        .setLatencyMs(requiredLong(json, "latencyMs", "latencyMs"))
        .setSignature(signatureBytes)
        .setSigningKeyId(optionalText(json, "signingKeyId", "signingKeyId"))
        .build();
  }

  private static JsonNode present(JsonNode json, String path, String field) {
    JsonNode value = json.get(field);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("field '" + path + "' is missing");
    }
    return value;
  }

  private static String text(JsonNode json, String path, String field) {
    JsonNode value = present(json, path, field);
    if (!value.isTextual()) {
      throw new IllegalArgumentException("field '" + path + "' is not a string");
    }
    return value.asText();
  }

  private static String optionalText(JsonNode json, String path, String field) {
    JsonNode value = json.get(field);
    return value == null || value.isNull() ? null : text(json, path, field);
  }

  private static long requiredLong(JsonNode json, String path, String field) {
    JsonNode value = present(json, path, field);
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw new IllegalArgumentException("field '" + path + "' is not a whole number");
    }
    return value.asLong();
  }

  private static Long optionalLong(JsonNode json, String path, String field) {
    JsonNode value = json.get(field);
    return value == null || value.isNull() ? null : requiredLong(json, path, field);
  }

  private static Instant instant(JsonNode json, String path, String field) {
    String text = text(json, path, field);
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "field '" + path + "' is not an ISO-8601 instant such as 2026-01-02T03:04:05.678Z");
    }
  }

  private static <E extends Enum<E>> E enumValue(
      Class<E> type, JsonNode json, String path, String field) {
    String text = text(json, path, field);
    try {
      return Enum.valueOf(type, text);
    } catch (IllegalArgumentException e) {
      List<String> allowed = new ArrayList<>();
      for (E constant : type.getEnumConstants()) {
        allowed.add(constant.name());
      }
      throw new IllegalArgumentException(
          "field '" + path + "' is '" + text + "', expected one of " + allowed);
    }
  }
}
