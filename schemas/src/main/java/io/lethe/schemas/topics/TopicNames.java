package io.lethe.schemas.topics;

import java.util.regex.Pattern;

/**
 * The names of Lethe's topics; {@link #defaults()} are the names in the README and the deployment
 * manifests.
 *
 * @param samplesRaw training samples as services send them, before validation
 * @param samples validated, de-duplicated training samples the learner job consumes
 * @param erasuresRaw erasure requests as privacy systems send them
 * @param erasures validated erasure requests the learner job consumes
 * @param erasuresAffected the job's decision of which models each erasure request affects
 * @param erasuresApplied the job's per-model confirmations of erasures
 * @param receipts one receipt per erasure request
 * @param models versioned model snapshots (compacted, keyed by model name)
 * @param deadLetter rejected external records with the reason
 * @param learnerStatus the learner job's per-model heartbeats (compacted, keyed by model name)
 */
public record TopicNames(
    String samplesRaw,
    String samples,
    String erasuresRaw,
    String erasures,
    String erasuresAffected,
    String erasuresApplied,
    String receipts,
    String models,
    String deadLetter,
    String learnerStatus) {

  /**
   * Largest snapshot record on the models topic: its {@code max.message.bytes}, the job's producer
   * {@code max.request.size}, and the fetch sizes of every consumer of the topic.
   */
  public static final int MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024;

  private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  /** Checks every name is a legal Kafka topic name. */
  public TopicNames {
    requireLegal("samplesRaw", samplesRaw);
    requireLegal("samples", samples);
    requireLegal("erasuresRaw", erasuresRaw);
    requireLegal("erasures", erasures);
    requireLegal("erasuresAffected", erasuresAffected);
    requireLegal("erasuresApplied", erasuresApplied);
    requireLegal("receipts", receipts);
    requireLegal("models", models);
    requireLegal("deadLetter", deadLetter);
    requireLegal("learnerStatus", learnerStatus);
  }

  /** Every name, in the order of the record's components. */
  public java.util.List<String> all() {
    return java.util.List.of(
        samplesRaw,
        samples,
        erasuresRaw,
        erasures,
        erasuresAffected,
        erasuresApplied,
        receipts,
        models,
        deadLetter,
        learnerStatus);
  }

  /** The default topic names, {@code lethe.samples.raw} and so on. */
  public static TopicNames defaults() {
    return new TopicNames(
        "lethe.samples.raw",
        "lethe.samples",
        "lethe.erasures.raw",
        "lethe.erasures",
        "lethe.erasures.affected",
        "lethe.erasures.applied",
        "lethe.receipts",
        "lethe.models",
        "lethe.deadletter",
        "lethe.learner.status");
  }

  static void requireLegal(String what, String name) {
    if (name == null || !LEGAL.matcher(name).matches() || name.equals(".") || name.equals("..")) {
      throw new IllegalArgumentException(
          what
              + " topic name '"
              + name
              + "' is not a legal Kafka topic name (1-249 characters of a-z A-Z 0-9 . _ -)");
    }
  }
}
