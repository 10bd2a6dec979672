package io.lethe.local.registry;

import java.util.Objects;

/**
 * One version of a subject as the registry stores it: {@code schema} is the canonical JSON text
 * ({@code Schema.toString()}), and {@code deleted} marks a soft-deleted version.
 */
record SchemaEntry(String subject, int version, int id, String schema, boolean deleted) {

  SchemaEntry {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(schema, "schema");
  }

  /** The same version, soft-deleted. */
  SchemaEntry asDeleted() {
    return new SchemaEntry(subject, version, id, schema, true);
  }
}
