package io.lethe.ingress;

import io.lethe.catalog.ModelCatalog;
import io.lethe.ingress.receipts.ErasureEvent;
import io.lethe.ingress.receipts.ErasureState;
import io.lethe.ingress.receipts.ErasureTracker;
import io.lethe.ingress.receipts.JsonSerde;
import io.lethe.ingress.receipts.ModelConfirmation;
import io.lethe.records.ErasureReceipt;
import io.lethe.records.ErasureRequest;
import io.lethe.records.TrainingSample;
import io.lethe.schemas.snapshot.ReceiptSigner;
import io.lethe.schemas.topics.LetheTopics;
import io.lethe.schemas.topics.Topic;
import io.lethe.validation.ErasureRequestValidator;
import io.lethe.validation.SampleValidator;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The ingress topology: validation and de-duplication of samples, validation of erasure requests,
 * and erasure receipts. Built by one function so that tests run exactly what production runs.
 *
 * <pre>
 * samples.raw  (bytes) ─ SampleIntake ──┬─► deadletter         (envelope + lethe.dlq.* headers)
 *                                       └─ by sample id ─ SampleDedupe ─┬─► samples (key subject)
 *                                                                       └─► deadletter
 * erasures.raw (bytes) ─ ErasureIntake ─┬─► deadletter
 *                                       └─┐ request events
 * erasures.affected ──────────────────────┤ merged, repartitioned by request id
 * erasures.applied  ──────────────────────┘ ─ ErasureTracker ─┬─► erasures (key subject / task id)
 *                                              (receipt store) ├─► deadletter (reused request ids)
 *                                                              └─► receipts
 * </pre>
 */
final class IngressTopology {
  /** State store of accepted sample ids (sample id to record timestamp), for de-duplication. */
  public static final String SAMPLE_IDS_STORE = "lethe-ingress-sample-ids";

  /**
   * State store of erasure requests by request id ({@link ErasureState}), queried by the status
   * endpoint.
   */
  public static final String ERASURES_STORE = "lethe-ingress-erasures";

  /** Name of the internal topic that brings the copies of one sample id together. */
  public static final String SAMPLES_BY_ID_REPARTITION = "samples-by-id";

  /** Name of the internal topic that brings a request and the job's answers together. */
  public static final String ERASURE_EVENTS_REPARTITION = "erasure-events-by-request";

  private IngressTopology() {}

  /** The ingress topology as a {@link Topology}, e.g. for {@code TopologyTestDriver}. */
  public static Topology topology(
      LetheTopics topics, ModelCatalog catalog, IngressSettings settings) {
    return topology(topics, catalog, settings, null);
  }

  /** The ingress topology, signing every receipt with {@code signer} unless it is null. */
  public static Topology topology(
      LetheTopics topics, ModelCatalog catalog, IngressSettings settings, ReceiptSigner signer) {
    StreamsBuilder builder = new StreamsBuilder();
    build(builder, topics, catalog, settings, signer);
    return builder.build();
  }

  /**
   * Adds the ingress to {@code builder}: reads the raw sample and erasure topics and the job's
   * erasure answers, writes the validated topics, dead letters and receipts.
   */
  public static void build(
      StreamsBuilder builder, LetheTopics topics, ModelCatalog catalog, IngressSettings settings) {
    build(builder, topics, catalog, settings, null);
  }

  /**
   * Adds the ingress to {@code builder} as {@link #build(StreamsBuilder, LetheTopics, ModelCatalog,
   * IngressSettings)} does, signing every receipt with {@code signer} unless it is null.
   */
  public static void build(
      StreamsBuilder builder,
      LetheTopics topics,
      ModelCatalog catalog,
      IngressSettings settings,
      ReceiptSigner signer) {
    buildSamples(builder, topics, catalog, settings);
    buildErasures(builder, topics, catalog, settings, signer);
  }

  private static void buildSamples(
      StreamsBuilder builder, LetheTopics topics, ModelCatalog catalog, IngressSettings settings) {
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(SAMPLE_IDS_STORE), Serdes.String(), Serdes.Long()));
    SampleValidator validator = new SampleValidator(catalog);
    KStream<String, IntakeOutcome<byte[]>> checked =
        rawStream(builder, topics.samplesRaw(), "samples-raw")
            .process(
                () ->
                    new SampleIntake(
                        topics.samplesRaw().valueSerde().deserializer(), validator, settings),
                Named.as("sample-intake"));
    checked
        .flatMapValues(IntakeOutcome::deadLetters, Named.as("rejected-samples"))
        .to(topics.deadLetter().name(), produced(topics.deadLetter(), "sample-dead-letters"));
    KStream<String, IntakeOutcome<TrainingSample>> deduped =
        checked
            .flatMapValues(IntakeOutcome::accepted, Named.as("valid-samples"))
            // By sample id, so that a repeated id meets its first copy whatever its key was.
            .repartition(
                Repartitioned.with(Serdes.String(), Serdes.ByteArray())
                    .withName(SAMPLES_BY_ID_REPARTITION))
            .process(
                () ->
                    new SampleDedupe(
                        topics.samplesRaw().valueSerde().deserializer(),
                        settings,
                        SAMPLE_IDS_STORE),
                Named.as("sample-dedupe"),
                SAMPLE_IDS_STORE);
    deduped
        .flatMapValues(IntakeOutcome::accepted, Named.as("accepted-samples"))
        .to(topics.samples().name(), produced(topics.samples(), "samples"));
    deduped
        .flatMapValues(IntakeOutcome::deadLetters, Named.as("duplicate-samples"))
        .to(topics.deadLetter().name(), produced(topics.deadLetter(), "duplicate-dead-letters"));
  }

  private static void buildErasures(
      StreamsBuilder builder,
      LetheTopics topics,
      ModelCatalog catalog,
      IngressSettings settings,
      ReceiptSigner signer) {
    ErasureRequestValidator validator = new ErasureRequestValidator(catalog);
    KStream<String, IntakeOutcome<ErasureRequest>> outcomes =
        rawStream(builder, topics.erasuresRaw(), "erasures-raw")
            .process(
                () ->
                    new ErasureIntake(
                        topics.erasuresRaw().valueSerde().deserializer(), validator, settings),
                Named.as("erasure-intake"));
    outcomes
        .flatMapValues(IntakeOutcome::deadLetters, Named.as("rejected-erasures"))
        .to(topics.deadLetter().name(), produced(topics.deadLetter(), "erasure-dead-letters"));

    // The job's answers are an internal contract, read with the topics' serdes; bytes that do not
    // decode there are dead-lettered by the deserialization handler (IngressErrorHandlers).
    KStream<String, ErasureEvent> affected =
        builder.stream(topics.erasuresAffected().name(), consumed(topics.erasuresAffected()))
            .map(
                (key, value) ->
                    KeyValue.pair(value.getRequestId(), ErasureEvent.affected(value.getModels())),
                Named.as("affected-events"));
    KStream<String, ErasureEvent> applied =
        builder.stream(topics.erasuresApplied().name(), consumed(topics.erasuresApplied()))
            .map(
                (key, value) ->
                    KeyValue.pair(
                        value.getRequestId(), ErasureEvent.applied(ModelConfirmation.of(value))),
                Named.as("applied-events"));

    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(ERASURES_STORE),
            Serdes.String(),
            new JsonSerde<>(ErasureState.class)));
    KStream<String, IntakeOutcome<ErasureRequest>> decided =
        outcomes
            .flatMapValues(IntakeOutcome::tracked, Named.as("request-events"))
            .merge(affected, Named.as("merge-affected"))
            .merge(applied, Named.as("merge-applied"))
            .repartition(
                Repartitioned.with(Serdes.String(), new JsonSerde<>(ErasureEvent.class))
                    .withName(ERASURE_EVENTS_REPARTITION))
            .process(
                () ->
                    new ErasureTracker(
                        ERASURES_STORE, settings.pendingTimeout(), settings.receiptRetention()),
                Named.as("erasure-tracker"),
                ERASURES_STORE);
    decided
        .flatMapValues(IntakeOutcome::accepted, Named.as("accepted-erasures"))
        .to(topics.erasures().name(), produced(topics.erasures(), "erasures"));
    decided
        .flatMapValues(IntakeOutcome::deadLetters, Named.as("reused-request-ids"))
        .to(topics.deadLetter().name(), produced(topics.deadLetter(), "reused-id-dead-letters"));
    KStream<String, ErasureReceipt> receipts =
        decided.flatMapValues(IntakeOutcome::receipts, Named.as("receipts"));
    if (signer != null) {
      receipts =
          receipts.mapValues(
              receipt -> {
                signer.sign(receipt);
                return receipt;
              },
              Named.as("signed-receipts"));
    }
    receipts.to(topics.receipts().name(), produced(topics.receipts(), "receipts"));
  }

  private static KStream<byte[], byte[]> rawStream(
      StreamsBuilder builder, Topic<?, ?> topic, String name) {
    // Raw bytes: decoding happens in the intake, which dead-letters what it cannot decode.
    return builder.stream(
        topic.name(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(name));
  }

  private static <K, V> Consumed<K, V> consumed(Topic<K, V> topic) {
    return Consumed.with(topic.keySerde(), topic.valueSerde()).withName(topic.name());
  }

  private static <K, V> Produced<K, V> produced(Topic<K, V> topic, String name) {
    return Produced.with(topic.keySerde(), topic.valueSerde()).withName(name + "-sink");
  }
}
