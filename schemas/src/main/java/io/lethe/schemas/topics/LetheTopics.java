package io.lethe.schemas.topics;

import io.lethe.records.DeadLetter;
import io.lethe.records.ErasureAffected;
import io.lethe.records.ErasureApplied;
import io.lethe.records.ErasureReceipt;
import io.lethe.records.ErasureRequest;
import io.lethe.records.LearnerHeartbeat;
import io.lethe.records.ModelSnapshot;
import io.lethe.records.TrainingSample;
import io.lethe.schemas.registry.SchemaRegistryClient;
import io.lethe.schemas.serde.AvroSerdes;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Lethe's topics, typed: keys are strings (subject id, model name or request id, as the README's
 * topic table lists them), values are Confluent-Avro records.
 */
public record LetheTopics(
    Topic<String, TrainingSample> samplesRaw,
    Topic<String, TrainingSample> samples,
    Topic<String, ErasureRequest> erasuresRaw,
    Topic<String, ErasureRequest> erasures,
    Topic<String, ErasureAffected> erasuresAffected,
    Topic<String, ErasureApplied> erasuresApplied,
    Topic<String, ErasureReceipt> receipts,
    Topic<String, ModelSnapshot> models,
    Topic<String, DeadLetter> deadLetter,
    Topic<String, LearnerHeartbeat> learnerStatus) {

  /** Typed topics with the given names, their Avro serdes sharing {@code registry}. */
  public static LetheTopics create(TopicNames names, SchemaRegistryClient registry) {
    return new LetheTopics(
        new Topic<>(
            names.samplesRaw(),
            Serdes.String(),
            AvroSerdes.forValues(TrainingSample.class, registry)),
        new Topic<>(
            names.samples(), Serdes.String(), AvroSerdes.forValues(TrainingSample.class, registry)),
        new Topic<>(
            names.erasuresRaw(),
            Serdes.String(),
            AvroSerdes.forValues(ErasureRequest.class, registry)),
        new Topic<>(
            names.erasures(),
            Serdes.String(),
            AvroSerdes.forValues(ErasureRequest.class, registry)),
        new Topic<>(
            names.erasuresAffected(),
            Serdes.String(),
            AvroSerdes.forValues(ErasureAffected.class, registry)),
        new Topic<>(
            names.erasuresApplied(),
            Serdes.String(),
            AvroSerdes.forValues(ErasureApplied.class, registry)),
        new Topic<>(
            names.receipts(),
            Serdes.String(),
            AvroSerdes.forValues(ErasureReceipt.class, registry)),
        new Topic<>(
            names.models(), Serdes.String(), AvroSerdes.forValues(ModelSnapshot.class, registry)),
        new Topic<>(
            names.deadLetter(), Serdes.String(), AvroSerdes.forValues(DeadLetter.class, registry)),
        new Topic<>(
            names.learnerStatus(),
            Serdes.String(),
            AvroSerdes.forValues(LearnerHeartbeat.class, registry)));
  }
}
