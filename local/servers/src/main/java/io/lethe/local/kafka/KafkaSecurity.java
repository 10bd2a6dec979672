package io.lethe.local.kafka;

/** Whether a local Kafka (the demo's in-JVM broker, the local cluster's) authenticates clients. */
public enum KafkaSecurity {
  /**
   * SASL/SCRAM-SHA-512, Kafka's standard authorizer, and one least-privilege principal per
   * component ({@link io.lethe.schemas.topics.LetheAcls}).
   */
  SECURED,
  /** Open: PLAINTEXT with no authorizer; anyone who reaches the port may read and write. */
  INSECURE
}
