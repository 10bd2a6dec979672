package io.lethe.learners.hypernet;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a snapshot needs besides the learner's state: the model's name and version, the version it
 * supersedes, when it was built and which erasure requests it is the first to reflect.
 *
 * @param model model name from the model catalog
 * @param version strictly increasing version of this model
 * @param previousVersion the version this one supersedes, or null for the first
 * @param createdAt when the snapshot is built
 * @param erasuresReflected ids of erasure requests applied since the previous version
 */
public record SnapshotHeader(
    String model,
    long version,
    Long previousVersion,
    Instant createdAt,
    List<String> erasuresReflected) {

  /** Checks the fields and copies the list. */
  public SnapshotHeader {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(createdAt, "createdAt");
    erasuresReflected = List.copyOf(erasuresReflected);
    if (previousVersion != null && previousVersion >= version) {
      throw new IllegalArgumentException(
          "snapshot version "
              + version
              + " of model "
              + model
              + " must be greater than its previous version "
              + previousVersion);
    }
  }
}
