package io.lethe.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * Every record, enum and field on Lethe's topics carries a {@code doc}: the schema is the contract.
 */
class SchemaDocumentationTest {
  private static final List<Schema> TOP_LEVEL =
      List.of(
          TrainingSample.getClassSchema(),
          ErasureRequest.getClassSchema(),
          ModelSnapshot.getClassSchema(),
          ErasureAffected.getClassSchema(),
          ErasureApplied.getClassSchema(),
          ErasureReceipt.getClassSchema(),
          DeadLetter.getClassSchema(),
          LearnerHeartbeat.getClassSchema());

  @Test
  void shouldDocumentEveryRecordEnumAndField() {
    List<String> undocumented = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    TOP_LEVEL.forEach(schema -> collectUndocumented(schema, seen, undocumented));
    assertThat(undocumented).isEmpty();
    assertThat(seen).hasSizeGreaterThanOrEqualTo(17);
  }

  @Test
  void shouldKeepEachSchemaFileInTheFolderOfItsNamespace() throws IOException {
    Path root = Path.of("src/main/avro");
    try (Stream<Path> files = Files.walk(root)) {
      List<Path> avsc = files.filter(p -> p.toString().endsWith(".avsc")).toList();
      assertThat(avsc).hasSizeGreaterThanOrEqualTo(10);
      for (Path file : avsc) {
        String namespace = root.relativize(file.getParent()).toString().replace('/', '.');
        assertThat(Files.readString(file))
            .as(file.toString())
            .contains("\"namespace\": \"" + namespace + "\"");
      }
    }
  }

  private static void collectUndocumented(Schema schema, Set<String> seen, List<String> out) {
    switch (schema.getType()) {
      case RECORD -> {
        if (!seen.add(schema.getFullName())) {
          return;
        }
        requireDoc(schema.getFullName(), schema.getDoc(), out);
        for (Schema.Field field : schema.getFields()) {
          requireDoc(schema.getFullName() + "." + field.name(), field.doc(), out);
          collectUndocumented(field.schema(), seen, out);
        }
      }
      case ENUM -> {
        if (seen.add(schema.getFullName())) {
          requireDoc(schema.getFullName(), schema.getDoc(), out);
        }
      }
      case ARRAY -> collectUndocumented(schema.getElementType(), seen, out);
      case MAP -> collectUndocumented(schema.getValueType(), seen, out);
      case UNION -> schema.getTypes().forEach(t -> collectUndocumented(t, seen, out));
      default -> {}
    }
  }

  private static void requireDoc(String name, String doc, List<String> out) {
    if (doc == null || doc.isBlank()) {
      out.add(name);
    }
  }
}
