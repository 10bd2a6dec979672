package io.lethe.local.registry;

/** A change to the registry's state, as written to and replayed from its Kafka topic. */
sealed interface StoreEvent {

  /** A subject version was written, or soft-deleted when {@code entry.deleted()}. */
  record SchemaWritten(SchemaEntry entry) implements StoreEvent {}

  /** A compacted-away (tombstoned) subject version, as a hard delete leaves it. */
  record SchemaErased(String subject, int version) implements StoreEvent {}

  /** A compatibility level was set globally ({@code subject == null}) or for one subject. */
  record ConfigWritten(String subject, CompatibilityLevel level) implements StoreEvent {}

  /** A compatibility level was removed (tombstoned) globally or for one subject. */
  record ConfigErased(String subject) implements StoreEvent {}
}
