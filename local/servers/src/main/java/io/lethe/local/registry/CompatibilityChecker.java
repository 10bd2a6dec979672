package io.lethe.local.registry;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/** Applies a {@link CompatibilityLevel} with Avro's own reader/writer compatibility rules. */
final class CompatibilityChecker {

  /** An earlier version to check against, with its version number for messages. */
  record EarlierVersion(int version, Schema schema) {}

  private CompatibilityChecker() {}

  /**
   * Why {@code candidate} may not follow {@code earlier} (oldest first) under {@code level}; empty
   * if it may. Non-transitive levels look only at the last (latest) earlier version.
   */
  static List<String> problems(
      CompatibilityLevel level, Schema candidate, List<EarlierVersion> earlier) {
    if (earlier.isEmpty() || level == CompatibilityLevel.NONE) {
      return List.of();
    }
    List<EarlierVersion> checked =
        level.transitive ? earlier : List.of(earlier.get(earlier.size() - 1));
    List<String> problems = new ArrayList<>();
    for (EarlierVersion old : checked) {
      if (level.backward) {
        describe(
            SchemaCompatibility.checkReaderWriterCompatibility(candidate, old.schema()),
            "the new schema cannot read data written with version " + old.version(),
            problems);
      }
      if (level.forward) {
        describe(
            SchemaCompatibility.checkReaderWriterCompatibility(old.schema(), candidate),
            "version " + old.version() + " cannot read data written with the new schema",
            problems);
      }
    }
    return List.copyOf(problems);
  }

  private static void describe(
      SchemaPairCompatibility result, String direction, List<String> problems) {
    if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
      return;
    }
    List<Incompatibility> incompatibilities = result.getResult().getIncompatibilities();
    if (incompatibilities.isEmpty()) {
      problems.add(direction + ": " + result.getDescription());
      return;
    }
    for (Incompatibility incompatibility : incompatibilities) {
      problems.add(
          direction
              + ": "
              + incompatibility.getType()
              + " at '"
              + incompatibility.getLocation()
              + "': "
              + incompatibility.getMessage());
    }
  }
}
