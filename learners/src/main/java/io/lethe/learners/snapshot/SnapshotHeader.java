package io.lethe.learners.snapshot;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the snapshot's producer (the learner job) knows and the learner does not: the model's name,
 * its version sequence, the time and the erasure requests reflected since the previous version.
 *
 * @param model model name from the catalog
 * @param version version number, strictly increasing per model
 * @param previousVersion the version this one supersedes, or null for the first
 * @param createdAt creation time
 * @param erasuresReflected ids of erasure requests first reflected by this version
 */
public record SnapshotHeader(
    String model,
    long version,
    Long previousVersion,
    Instant createdAt,
    List<String> erasuresReflected) {

  /** Checks the fields; the list is copied. */
  public SnapshotHeader {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(createdAt, "createdAt");
    erasuresReflected = List.copyOf(erasuresReflected);
    if (previousVersion != null && previousVersion >= version) {
      throw new IllegalArgumentException(
          "snapshot version " + version + " must be greater than previous " + previousVersion);
    }
  }
}
