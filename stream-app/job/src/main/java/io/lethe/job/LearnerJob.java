package io.lethe.job;

import io.lethe.catalog.ModelCatalog;
import io.lethe.job.decode.DecodeErasures;
import io.lethe.job.decode.DecodeSamples;
import io.lethe.job.events.ErasureEvent;
import io.lethe.job.events.KafkaOut;
import io.lethe.job.events.LearnerCommand;
import io.lethe.job.events.RawRecord;
import io.lethe.job.events.SampleEvent;
import io.lethe.job.events.ShardPartial;
import io.lethe.job.learner.Heartbeats;
import io.lethe.job.learner.LearnerFactory;
import io.lethe.job.learner.LearnerOperator;
import io.lethe.job.learner.ShardLearnerOperator;
import io.lethe.job.learner.ShardMergeOperator;
import io.lethe.job.ledger.ErasureLedger;
import io.lethe.job.ledger.RequestIdGuard;
import io.lethe.job.ledger.RouteTaskErasures;
import io.lethe.records.ErasureScope;
import io.lethe.schemas.registry.RegistryConnection;
import io.lethe.validation.ErasureRequestValidator;
import io.lethe.validation.SampleValidator;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The learner job as a function of its inputs: raw sample and erasure records in, everything the
 * job publishes out (snapshots, erasure decisions and confirmations, dead letters). {@link
 * LearnerJobMain} wires it to Kafka; tests run exactly this graph.
 *
 * <pre>
 * samples ─► DecodeSamples ───────────────────────────┐
 *                                                     ├─► ErasureLedger (by subject) ──┐
 * erasures ─► DecodeErasures ─► RequestIdGuard (by id) ┤                               ├─► Learner
 *                                                     └─► RouteTaskErasures ──────────┘  (by model)
 * </pre>
 *
 * <p>A model with {@code shards} > 1 in the catalog learns instead in ShardLearner (keyed by shard:
 * model and subject hash) and is published by ShardMerge (keyed by model), which solves from the
 * shards' partial sums at each checkpoint. Without such a model the graph is the one above.
 */
final class LearnerJob {
  private LearnerJob() {}

  /**
   * Adds the job's operators to the stream graph of {@code samples} and {@code erasures}.
   *
   * @param registry schema registry for decoding the inputs
   * @param microBatchSize samples each learner learns together
   * @param tombstoneRetention how long erased subjects and samples are remembered
   * @param requestIdRetention how long an erasure request id is remembered after its request ran
   * @param heartbeats when the learner publishes each model's heartbeat
   * @return every record the job publishes, for one exactly-once sink
   */
  public static DataStream<KafkaOut> build(
      DataStream<RawRecord> samples,
      DataStream<RawRecord> erasures,
      ModelCatalog catalog,
      LearnerFactory learners,
      RegistryConnection registry,
      int microBatchSize,
      Duration tombstoneRetention,
      Duration requestIdRetention,
      Heartbeats heartbeats) {
    return build(
        samples,
        erasures,
        catalog,
        learners,
        registry,
        microBatchSize,
        tombstoneRetention,
        requestIdRetention,
        heartbeats,
        null);
  }

  /**
   * As {@link #build(DataStream, DataStream, ModelCatalog, LearnerFactory, RegistryConnection, int,
   * Duration, Duration, Heartbeats)}, signing snapshots with the private key in {@code
   * signingKeyFile} (a path where the learner runs; null: unsigned).
   */
  public static DataStream<KafkaOut> build(
      DataStream<RawRecord> samples,
      DataStream<RawRecord> erasures,
      ModelCatalog catalog,
      LearnerFactory learners,
      RegistryConnection registry,
      int microBatchSize,
      Duration tombstoneRetention,
      Duration requestIdRetention,
      Heartbeats heartbeats,
      String signingKeyFile) {
    ModelRoutes routes = ModelRoutes.of(catalog);

    SingleOutputStreamOperator<SampleEvent> decodedSamples =
        samples
            .process(new DecodeSamples(registry, new SampleValidator(catalog)))
            .name("DecodeSamples")
            .uid("decode-samples");
    SingleOutputStreamOperator<ErasureEvent> decodedErasures =
        erasures
            .process(new DecodeErasures(registry, new ErasureRequestValidator(catalog)))
            .name("DecodeErasures")
            .uid("decode-erasures");
    // Before the erasures split into the ledger and the task route, so that neither runs a retry
    // or a reused id. A new operator: savepoints taken without it restore (it starts empty).
    SingleOutputStreamOperator<ErasureEvent> guardedErasures =
        decodedErasures
            .keyBy(e -> e.requestId)
            .process(new RequestIdGuard(requestIdRetention))
            .name("RequestIdGuard")
            .uid("request-id-guard");

    SingleOutputStreamOperator<LearnerCommand> ledger =
        decodedSamples
            .connect(
                guardedErasures.filter(e -> e.scope != ErasureScope.TASK).name("SubjectErasures"))
            .keyBy(s -> s.subjectId, e -> e.subjectId)
            .process(new ErasureLedger(routes, tombstoneRetention))
            .name("ErasureLedger")
            .uid("erasure-ledger");
    SingleOutputStreamOperator<LearnerCommand> taskErasures =
        guardedErasures
            .filter(e -> e.scope == ErasureScope.TASK)
            .name("TaskErasures")
            .process(new RouteTaskErasures(routes))
            .name("RouteTaskErasures")
            .uid("route-task-erasures");

    DataStream<LearnerCommand> commands = ledger.union(taskErasures);
    DataStream<KafkaOut> shardedOutputs = null;
    if (routes.hasShardedModels()) {
      DataStream<LearnerCommand> sharded =
          commands.filter(c -> routes.shards(c.model) > 1).name("ShardedModels");
      commands = commands.filter(c -> routes.shards(c.model) == 1).name("UnshardedModels");
      shardedOutputs =
          shardedLearners(sharded, catalog, routes, microBatchSize, heartbeats, signingKeyFile);
    }
    SingleOutputStreamOperator<KafkaOut> learnerOutputs =
        commands
            .keyBy(c -> c.model)
            .transform(
                "Learner",
                TypeInformation.of(KafkaOut.class),
                new LearnerOperator(catalog, learners, microBatchSize, heartbeats, signingKeyFile))
            .uid("learner");

    DataStream<KafkaOut> outputs =
        learnerOutputs.union(
            decodedSamples.getSideOutput(DecodeSamples.DEAD_LETTERS),
            decodedErasures.getSideOutput(DecodeErasures.DEAD_LETTERS),
            guardedErasures.getSideOutput(RequestIdGuard.DEAD_LETTERS),
            ledger.getSideOutput(ErasureLedger.OUTPUTS),
            taskErasures.getSideOutput(ErasureLedger.OUTPUTS));
    return shardedOutputs == null ? outputs : outputs.union(shardedOutputs);
  }

  /**
   * The learners of sharded models: one keyed state per shard ({@link ModelRoutes} picks the keys),
   * whose partial sums meet at each checkpoint barrier in a merge keyed by model, which publishes.
   */
  private static DataStream<KafkaOut> shardedLearners(
      DataStream<LearnerCommand> commands,
      ModelCatalog catalog,
      ModelRoutes routes,
      int microBatchSize,
      Heartbeats heartbeats,
      String signingKeyFile) {
    SingleOutputStreamOperator<ShardPartial> shards =
        commands
            .keyBy(routes::shardKey)
            .transform(
                "ShardLearner",
                TypeInformation.of(ShardPartial.class),
                new ShardLearnerOperator(catalog, routes, microBatchSize))
            .uid("shard-learner")
            .setMaxParallelism(ModelRoutes.SHARD_KEY_GROUPS);
    SingleOutputStreamOperator<KafkaOut> merged =
        shards
            .keyBy(p -> p.model)
            .transform(
                "ShardMerge",
                TypeInformation.of(KafkaOut.class),
                new ShardMergeOperator(catalog, heartbeats, signingKeyFile))
            .uid("shard-merge");
    return merged.union(shards.getSideOutput(ShardLearnerOperator.DEAD_LETTERS));
  }
}
