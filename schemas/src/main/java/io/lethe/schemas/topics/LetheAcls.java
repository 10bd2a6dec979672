package io.lethe.schemas.topics;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The Kafka principals of a Lethe deployment and the least rights each holds: the one ACL set that
 * the embedded stack and the local cluster apply, that {@code docs/security.md} documents and that
 * {@code deploy/} ships as Strimzi {@code KafkaUser} resources.
 *
 * <p>Every right is an {@code ALLOW} for the principal from any host. Kafka implies {@code
 * DESCRIBE} from {@code READ} and {@code WRITE}, so only the operations a client performs are
 * listed. Nothing has cluster-level rights: the topics are created by an administrator before the
 * components start.
 *
 * @param topics Lethe's topic names
 * @param ingressApplicationId the ingress's Kafka Streams {@code application.id}: the prefix of its
 *     internal topics, its consumer group and its transactional ids
 * @param jobPrefix the learner job's prefix of its consumer groups and transactional ids
 * @param registryTopic the topic a Kafka-backed schema registry stores schemas in ({@code
 *     _schemas})
 */
public record LetheAcls(
    TopicNames topics, String ingressApplicationId, String jobPrefix, String registryTopic) {

  /** Who connects to Kafka in a Lethe deployment. */
  public enum Principal {
    /** An online service that sends training samples. */
    PRODUCER("lethe-producer", "writes training samples"),
    /** A privacy system that sends erasure requests and reads their receipts. */
    PRIVACY("lethe-privacy", "writes erasure requests, reads receipts"),
    /** The ingress (Kafka Streams). */
    INGRESS("lethe-ingress", "validates input, writes receipts"),
    /** The learner job (Flink). */
    JOB("lethe-job", "learns, forgets, publishes snapshots"),
    /** The model service. */
    MODEL_SERVICE(
        "lethe-model-service",
        "follows snapshots, learner heartbeats, erasures, receipts and dead letters"),
    /** A schema registry that stores its schemas in Kafka, as Confluent's and Lethe's do. */
    REGISTRY("lethe-registry", "stores schemas");

    private final String defaultUser;
    private final String role;

    Principal(String defaultUser, String role) {
      this.defaultUser = defaultUser;
      this.role = role;
    }

    /** The user name Lethe gives this principal ({@code User:<name>} in Kafka's terms). */
    public String defaultUser() {
      return defaultUser;
    }

    /** What the principal does, in a few words. */
    public String role() {
      return role;
    }
  }

  /** The prefix of the consumer groups a privacy system may use to read receipts. */
  public static final String PRIVACY_GROUP_PREFIX = "lethe-privacy";

  /** Checks that every name is set. */
  public LetheAcls {
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(ingressApplicationId, "ingressApplicationId");
    Objects.requireNonNull(jobPrefix, "jobPrefix");
    Objects.requireNonNull(registryTopic, "registryTopic");
  }

  /**
   * The names Lethe's commands use by default: the default topics, the ingress's application id
   * {@code lethe-ingress}, the job's prefix {@code lethe-learner} and the registry topic {@code
   * _schemas}.
   */
  public static LetheAcls defaults() {
    return new LetheAcls(TopicNames.defaults(), "lethe-ingress", "lethe-learner", "_schemas");
  }

  /** The same rights with another ingress application id (the embedded stack uses its own). */
  public LetheAcls withIngressApplicationId(String applicationId) {
    return new LetheAcls(topics, applicationId, jobPrefix, registryTopic);
  }

  /** One right: an operation on a resource. */
  public record Right(ResourceType type, String name, PatternType pattern, AclOperation operation) {
    /** This right as Kafka's binding for {@code user}. */
    public AclBinding binding(String user) {
      return new AclBinding(
          new ResourcePattern(type, name, pattern),
          new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
    }
  }

  /** The rights of {@code principal}, in a stable order. */
  public List<Right> rights(Principal principal) {
    List<Right> rights = new ArrayList<>();
    switch (principal) {
      case PRODUCER -> topic(rights, AclOperation.WRITE, topics.samplesRaw());
      case PRIVACY -> {
        topic(rights, AclOperation.WRITE, topics.erasuresRaw());
        topic(rights, AclOperation.READ, topics.receipts());
        rights.add(prefixed(ResourceType.GROUP, PRIVACY_GROUP_PREFIX, AclOperation.READ));
      }
      case INGRESS -> {
        topic(
            rights,
            AclOperation.READ,
            topics.samplesRaw(),
            topics.erasuresRaw(),
            topics.erasuresAffected(),
            topics.erasuresApplied());
        topic(
            rights,
            AclOperation.WRITE,
            topics.samples(),
            topics.erasures(),
            topics.receipts(),
            topics.deadLetter());
        // Kafka Streams creates, reads, writes and purges its repartition and changelog topics.
        rights.add(prefixed(ResourceType.TOPIC, ingressApplicationId, AclOperation.ALL));
        rights.add(prefixed(ResourceType.GROUP, ingressApplicationId, AclOperation.READ));
        rights.add(
            prefixed(ResourceType.TRANSACTIONAL_ID, ingressApplicationId, AclOperation.WRITE));
      }
      case JOB -> {
        topic(rights, AclOperation.READ, topics.samples(), topics.erasures());
        topic(
            rights,
            AclOperation.WRITE,
            topics.deadLetter(),
            topics.erasuresAffected(),
            topics.erasuresApplied(),
            topics.models(),
            topics.learnerStatus());
        rights.add(prefixed(ResourceType.GROUP, jobPrefix, AclOperation.READ));
        rights.add(prefixed(ResourceType.TRANSACTIONAL_ID, jobPrefix, AclOperation.WRITE));
      }
      case MODEL_SERVICE ->
          // the console follows erasures, receipts and dead letters (their reason headers)
          topic(
              rights,
              AclOperation.READ,
              topics.models(),
              topics.learnerStatus(),
              topics.erasures(),
              topics.receipts(),
              topics.deadLetter());
      case REGISTRY -> {
        for (AclOperation operation :
            List.of(
                AclOperation.CREATE,
                AclOperation.READ,
                AclOperation.WRITE,
                AclOperation.DESCRIBE_CONFIGS)) {
          topic(rights, operation, registryTopic);
        }
      }
      default -> throw new IllegalArgumentException("unknown principal " + principal);
    }
    return List.copyOf(rights);
  }

  /** Every principal's rights as Kafka bindings, with Lethe's default user names. */
  public Map<Principal, List<AclBinding>> bindings() {
    Map<Principal, List<AclBinding>> bindings = new EnumMap<>(Principal.class);
    for (Principal principal : Principal.values()) {
      bindings.put(
          principal,
          rights(principal).stream().map(r -> r.binding(principal.defaultUser())).toList());
    }
    return bindings;
  }

  private static void topic(List<Right> rights, AclOperation operation, String... names) {
    for (String name : names) {
      rights.add(new Right(ResourceType.TOPIC, name, PatternType.LITERAL, operation));
    }
  }

  private static Right prefixed(ResourceType type, String prefix, AclOperation operation) {
    return new Right(type, prefix, PatternType.PREFIXED, operation);
  }
}
