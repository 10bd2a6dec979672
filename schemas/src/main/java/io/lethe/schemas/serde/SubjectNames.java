package io.lethe.schemas.serde;

/**
 * Registry subject names, following Confluent's default {@code TopicNameStrategy}: {@code
 * <topic>-key} for keys and {@code <topic>-value} for values.
 */
public final class SubjectNames {
  private SubjectNames() {}

  /** The subject under which a topic's key or value schema is registered. */
  public static String forTopic(String topic, boolean isKey) {
    return topic + (isKey ? "-key" : "-value");
  }
}
