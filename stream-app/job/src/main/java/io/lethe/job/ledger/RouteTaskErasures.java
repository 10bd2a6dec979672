package io.lethe.job.ledger;

import io.lethe.job.ModelRoutes;
import io.lethe.job.events.ErasureEvent;
import io.lethe.job.events.KafkaOut;
import io.lethe.job.events.LearnerCommand;
import io.lethe.job.kafka.AvroBytes;
import io.lethe.records.ErasureAffected;
import io.lethe.records.ErasureScope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Sends a TASK erasure to every model within the request's filter: task erasure is data-free, so it
 * needs no ledger, and each model answers for itself (a model that never learned the task says so
 * in its confirmation). Emits the request's {@code ErasureAffected} on {@link
 * ErasureLedger#OUTPUTS}.
 */
public final class RouteTaskErasures extends ProcessFunction<ErasureEvent, LearnerCommand> {
  private static final long serialVersionUID = 1L;

  private final ModelRoutes routes;

  /** Routes to the models in {@code routes}. */
  public RouteTaskErasures(ModelRoutes routes) {
    this.routes = routes;
  }

  @Override
  public void processElement(ErasureEvent request, Context ctx, Collector<LearnerCommand> out) {
    if (request.scope != ErasureScope.TASK) {
      throw new IllegalArgumentException(
          request.scope + " erasure " + request.requestId + " belongs to the ledger");
    }
    List<String> models = new ArrayList<>();
    for (String model : routes.models()) {
      if (request.covers(model, routes.datasetOf(model))) {
        models.add(model);
        for (int shard = 0; shard < routes.shards(model); shard++) {
          out.collect(LearnerCommand.eraseTasks(model, shard, request)); // every shard forgets
        }
      }
    }
    ErasureAffected affected =
        ErasureAffected.newBuilder()
            .setRequestId(request.requestId)
            .setScope(ErasureScope.TASK)
            .setModels(models.stream().sorted().toList())
            .setSamplesFound(0)
            .setDecidedAt(Instant.ofEpochMilli(ctx.timerService().currentProcessingTime()))
            .build();
    ctx.output(
        ErasureLedger.OUTPUTS,
        KafkaOut.of(KafkaOut.Kind.ERASURE_AFFECTED, request.requestId, AvroBytes.encode(affected)));
  }
}
