package io.lethe.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.schemas.topics.LetheAcls.Principal;
import io.lethe.schemas.topics.LetheAcls.Right;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.resource.PatternType;
import org.junit.jupiter.api.Test;

/**
 * The ACL set is published twice, for people and for Strimzi: {@code docs/security.md}'s table and
 * {@code deploy/k8s/base/kafka-users.yaml}'s {@code KafkaUser} resources. Both must say exactly
 * what {@link LetheAcls#defaults()} grants; on a difference the test prints what the file should
 * hold.
 */
class LetheAclsPublishedTest {
  private static final Path ROOT = Path.of("..");
  private static final String TABLE_START = "<!-- acl-table:start -->";
  private static final String TABLE_END = "<!-- acl-table:end -->";

  @Test
  void docsTableIsTheAclSet() throws IOException {
    String doc = Files.readString(ROOT.resolve("docs/security.md"));
    int start = doc.indexOf(TABLE_START);
    int end = doc.indexOf(TABLE_END);
    assertThat(start).as("docs/security.md has " + TABLE_START).isNotNegative();
    assertThat(end).as("docs/security.md has " + TABLE_END).isGreaterThan(start);
    String table = doc.substring(start + TABLE_START.length(), end).strip();
    assertThat(table)
        .as("docs/security.md's ACL table; it should be:%n%s%n", markdown())
        .isEqualTo(markdown());
  }

  @Test
  void strimziUsersAreTheAclSet() throws IOException {
    String yaml = Files.readString(ROOT.resolve("deploy/k8s/base/kafka-users.yaml"));
    assertThat(yaml)
        .as("deploy/k8s/base/kafka-users.yaml; it should be:%n%s%n", strimzi())
        .isEqualTo(strimzi());
  }

  @Test
  void theProducerMayOnlyWriteRawSamples() {
    assertThat(LetheAcls.defaults().rights(Principal.PRODUCER))
        .extracting(r -> r.name() + " " + r.operation())
        .containsExactly("lethe.samples.raw WRITE");
  }

  /** The table: one row per principal and resource, the operations together. */
  static String markdown() {
    StringBuilder out = new StringBuilder();
    out.append("| principal | does | resource | operations |\n");
    out.append("| --- | --- | --- | --- |\n");
    LetheAcls acls = LetheAcls.defaults();
    for (Principal principal : Principal.values()) {
      boolean first = true;
      for (Map.Entry<String, List<String>> resource :
          byResource(acls.rights(principal)).entrySet()) {
        out.append("| ")
            .append(first ? "`User:" + principal.defaultUser() + "`" : "")
            .append(" | ")
            .append(first ? principal.role() : "")
            .append(" | ")
            .append(resource.getKey())
            .append(" | ")
            .append(String.join(", ", resource.getValue()))
            .append(" |\n");
        first = false;
      }
    }
    return out.toString().strip();
  }

  private static Map<String, List<String>> byResource(List<Right> rights) {
    Map<String, List<String>> resources = new LinkedHashMap<>();
    for (Right right : rights) {
      String resource =
          right.type().name().toLowerCase(Locale.ROOT).replace('_', ' ')
              + " `"
              + right.name()
              + (right.pattern() == PatternType.PREFIXED ? "*" : "")
              + "`";
      resources
          .computeIfAbsent(resource, k -> new java.util.ArrayList<>())
          .add(right.operation().name());
    }
    return resources;
  }

  /** Strimzi's {@code KafkaUser} resources (API {@code kafka.strimzi.io/v1}) for the set. */
  static String strimzi() {
    StringBuilder out = new StringBuilder();
    out.append(
        "# Lethe's Kafka principals with SCRAM-SHA-512 credentials and least-privilege ACLs\n");
    out.append(
        "# (docs/security.md). The Strimzi User Operator creates a Secret per user with its\n");
    out.append("# password and sasl.jaas.config. Generated from LetheAcls and checked by\n");
    out.append("# LetheAclsPublishedTest: change both together.\n");
    LetheAcls acls = LetheAcls.defaults();
    boolean firstUser = true;
    for (Principal principal : Principal.values()) {
      if (!firstUser) {
        out.append("---\n");
      }
      firstUser = false;
      out.append("apiVersion: kafka.strimzi.io/v1\n");
      out.append("kind: KafkaUser\n");
      out.append("metadata:\n");
      out.append("  name: ").append(principal.defaultUser()).append('\n');
      out.append("  labels:\n");
      out.append("    strimzi.io/cluster: lethe\n");
      out.append("spec:\n");
      out.append("  authentication:\n");
      out.append("    type: scram-sha-512\n");
      out.append("  authorization:\n");
      out.append("    type: simple\n");
      out.append("    acls:\n");
      Map<String, List<Right>> grouped =
          acls.rights(principal).stream()
              .collect(
                  Collectors.groupingBy(
                      r -> r.type() + "/" + r.name() + "/" + r.pattern(),
                      LinkedHashMap::new,
                      Collectors.toList()));
      for (List<Right> same : grouped.values()) {
        Right right = same.get(0);
        out.append("      - resource:\n");
        out.append("          type: ").append(strimziType(right)).append('\n');
        out.append("          name: ").append(right.name()).append('\n');
        out.append("          patternType: ").append(strimziPattern(right)).append('\n');
        out.append("        operations: [")
            .append(same.stream().map(r -> strimziOperation(r)).collect(Collectors.joining(", ")))
            .append("]\n");
      }
    }
    return out.toString();
  }

  private static String strimziType(Right right) {
    return switch (right.type()) {
      case TOPIC -> "topic";
      case GROUP -> "group";
      case TRANSACTIONAL_ID -> "transactionalId";
      case CLUSTER -> "cluster";
      default -> throw new IllegalArgumentException("no Strimzi type for " + right.type());
    };
  }

  /** Strimzi's names of Kafka's pattern types: {@code literal} and {@code prefix}. */
  private static String strimziPattern(Right right) {
    return switch (right.pattern()) {
      case LITERAL -> "literal";
      case PREFIXED -> "prefix";
      default ->
          throw new IllegalArgumentException("no Strimzi pattern type for " + right.pattern());
    };
  }

  /**
   * Strimzi spells operations in camel case: {@code Write}, {@code DescribeConfigs}, {@code All}.
   */
  private static String strimziOperation(Right right) {
    StringBuilder name = new StringBuilder();
    for (String part : right.operation().name().split("_")) {
      name.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
    }
    return name.toString();
  }
}
