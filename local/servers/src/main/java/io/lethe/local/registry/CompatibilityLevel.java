package io.lethe.local.registry;

import java.util.Locale;
import java.util.Optional;

/** The compatibility levels of the Confluent Schema Registry and which checks each one implies. */
enum CompatibilityLevel {
  NONE(false, false, false),
  BACKWARD(true, false, false),
  BACKWARD_TRANSITIVE(true, false, true),
  FORWARD(false, true, false),
  FORWARD_TRANSITIVE(false, true, true),
  FULL(true, true, false),
  FULL_TRANSITIVE(true, true, true);

  /** Confluent's default for subjects and the global setting alike. */
  static final CompatibilityLevel DEFAULT = BACKWARD;

  /** New schemas must be able to read data written with older ones. */
  final boolean backward;

  /** Older schemas must be able to read data written with new ones. */
  final boolean forward;

  /** Checks run against every live version, not just the latest. */
  final boolean transitive;

  CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
    this.backward = backward;
    this.forward = forward;
    this.transitive = transitive;
  }

  /** The level named {@code name}, ignoring case, or empty if there is none by that name. */
  static Optional<CompatibilityLevel> parse(String name) {
    if (name == null) {
      return Optional.empty();
    }
    for (CompatibilityLevel level : values()) {
      if (level.name().equals(name.trim().toUpperCase(Locale.ROOT))) {
        return Optional.of(level);
      }
    }
    return Optional.empty();
  }
}
