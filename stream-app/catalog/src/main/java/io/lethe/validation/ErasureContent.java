package io.lethe.validation;

import io.lethe.records.ErasureRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;

/**
 * What an erasure request asks for, the part that makes two requests with one request id "the
 * same": scope, the ids as a set, the subject, the dataset and model filters (models as a set) and
 * the requester. The issue time ({@code requestedAt}) is not part of it: a privacy system that
 * retries may stamp its retry anew. The ingress and the learner job both compare requests by {@link
 * #fingerprint()}: the same id with the same content is a retry, with other content a refused reuse
 * (docs/dead-letters.md, reason {@value Rejection#REQUEST_ID_REUSED}).
 *
 * @param scope {@code SAMPLE}, {@code SUBJECT} or {@code TASK}
 * @param ids the ids to erase, sorted, without repeats
 * @param subjectId the subject of a SAMPLE request, or null
 * @param dataset the dataset filter, or null
 * @param models the model filter, sorted, without repeats; empty for every model
 * @param requester who asked
 */
public record ErasureContent(
    String scope,
    List<String> ids,
    String subjectId,
    String dataset,
    List<String> models,
    String requester) {

  /** Copies the lists. */
  public ErasureContent {
    ids = List.copyOf(ids);
    models = List.copyOf(models);
  }

  /** The content of {@code request}. */
  public static ErasureContent of(ErasureRequest request) {
    return new ErasureContent(
        request.getScope().name(),
        List.copyOf(new TreeSet<>(request.getIds())),
        request.getSubjectId(),
        request.getDataset(),
        List.copyOf(new TreeSet<>(request.getModels())),
        request.getRequester());
  }

  /**
   * SHA-256 of a length-prefixed encoding of every part, in hex: equal exactly when the contents
   * are equal (null and "" differ).
   */
  public String fingerprint() {
    StringBuilder canonical = new StringBuilder();
    part(canonical, scope);
    canonical.append(ids.size()).append(';');
    ids.forEach(id -> part(canonical, id));
    part(canonical, subjectId);
    part(canonical, dataset);
    canonical.append(models.size()).append(';');
    models.forEach(model -> part(canonical, model));
    part(canonical, requester);
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of()
          .formatHex(sha.digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  private static void part(StringBuilder out, String text) {
    if (text == null) {
      out.append("-;");
    } else {
      out.append(text.length()).append(':').append(text).append(';');
    }
  }
}
