package io.lethe.ingress.receipts;

import io.lethe.ingress.IngressMetrics;
import io.lethe.records.ErasureReceipt;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins each erasure request with the job's affected models and per-model confirmations in the
 * receipt store (keyed by request id) and forwards one {@link ErasureReceipt} when every affected
 * model has confirmed, or at once when the ingress rejected the request.
 *
 * <p>A wall-clock punctuation reports requests pending longer than the timeout (log line with the
 * request id and the models still awaited, and the overdue gauge) without dropping them, refreshes
 * the pending gauge, and deletes finished requests after their retention.
 */
public final class ErasureTracker
    implements Processor<String, ErasureEvent, String, ErasureReceipt> {
  private static final Logger log = LoggerFactory.getLogger(ErasureTracker.class);

  private final String storeName;
  private final Duration pendingTimeout;
  private final Duration retention;
  private ProcessorContext<String, ErasureReceipt> context;
  private KeyValueStore<String, ErasureState> store;
  private IngressMetrics metrics;

  /**
   * A tracker keeping its state in {@code storeName}.
   *
   * @param pendingTimeout after this long a pending request is reported as overdue
   * @param retention how long finished requests stay in the store
   */
  public ErasureTracker(String storeName, Duration pendingTimeout, Duration retention) {
    this.storeName = storeName;
    this.pendingTimeout = pendingTimeout;
    this.retention = retention;
  }

  /** How often the punctuation checks for overdue requests: a quarter of the timeout, 0.1-30 s. */
  static Duration checkInterval(Duration pendingTimeout) {
    long millis = Math.max(100, Math.min(30_000, pendingTimeout.toMillis() / 4));
    return Duration.ofMillis(millis);
  }

  @Override
  public void init(ProcessorContext<String, ErasureReceipt> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
    this.metrics = new IngressMetrics(context.metrics());
    context.schedule(
        checkInterval(pendingTimeout), PunctuationType.WALL_CLOCK_TIME, this::checkPending);
    checkPending(context.currentSystemTimeMs());
  }

  @Override
  public void process(Record<String, ErasureEvent> record) {
    String requestId = record.key();
    ErasureEvent event = record.value();
    if (requestId == null || event == null) {
      log.warn("Ignoring a receipt-tracker event without request id or value: {}", event);
      return;
    }
    long now = context.currentSystemTimeMs();
    ErasureState before = store.get(requestId);
    ErasureState state = before != null ? before : ErasureState.unknown(requestId, now);
    if (state.status() == ErasureStatus.REJECTED
        && event.kind() == ErasureEvent.Kind.REQUEST
        && event.rejection() == null) {
      // The privacy system corrected a rejected request and sent it again under the same id: the
      // corrected request went to the job, so track it afresh.
      log.info("Erasure request {} was rejected before; tracking its corrected copy", requestId);
      state = ErasureState.unknown(requestId, now);
    }
    if (state.status() != ErasureStatus.PENDING) {
      log.warn(
          "Erasure request {} is already {}; ignoring a late {} event",
          requestId,
          state.status(),
          event.kind());
      return;
    }
    state =
        switch (event.kind()) {
          case REQUEST -> onRequest(state, event, now);
          case AFFECTED -> onAffected(state, event);
          case APPLIED -> onApplied(state, event);
        };
    if (state.readyToComplete()) {
      state = state.completed(now);
    }
    store.put(requestId, state);
    if (state.status() != ErasureStatus.PENDING) {
      ErasureReceipt receipt = state.toReceipt();
      log.info(
          "Erasure request {} {} after {} ms", requestId, state.status(), receipt.getLatencyMs());
      metrics.receipt(receipt.getStatus().name());
      context.forward(new Record<>(requestId, receipt, now));
    }
  }

  private static ErasureState onRequest(ErasureState state, ErasureEvent event, long now) {
    if (state.request() != null) {
      log.warn("Erasure request {} was sent again; tracking the first copy", state.requestId());
      return state;
    }
    return event.rejection() != null
        ? state.rejected(event.request(), event.rejection(), now)
        : state.withRequest(event.request());
  }

  private static ErasureState onAffected(ErasureState state, ErasureEvent event) {
    if (state.affectedModels() != null) {
      log.warn("Erasure request {}: ignoring a second list of affected models", state.requestId());
      return state;
    }
    for (String model : state.confirmations().keySet()) {
      if (!event.affectedModels().contains(model)) {
        log.warn(
            "Erasure request {}: model {} confirmed but is not among the affected models {}",
            state.requestId(),
            model,
            event.affectedModels());
      }
    }
    return state.withAffected(event.affectedModels());
  }

  private static ErasureState onApplied(ErasureState state, ErasureEvent event) {
    ModelConfirmation confirmation = event.applied();
    if (state.confirmations().containsKey(confirmation.model())) {
      log.warn(
          "Erasure request {}: model {} confirmed twice; keeping the first",
          state.requestId(),
          confirmation.model());
      return state;
    }
    if (state.affectedModels() != null && !state.affectedModels().contains(confirmation.model())) {
      log.warn(
          "Erasure request {}: ignoring a confirmation from model {}, not among the affected {}",
          state.requestId(),
          confirmation.model(),
          state.affectedModels());
      return state;
    }
    return state.withConfirmation(confirmation);
  }

  private void checkPending(long now) {
    long pending = 0;
    long overdue = 0;
    List<KeyValue<String, ErasureState>> updates = new ArrayList<>();
    List<String> expired = new ArrayList<>();
    try (KeyValueIterator<String, ErasureState> all = store.all()) {
      while (all.hasNext()) {
        KeyValue<String, ErasureState> entry = all.next();
        ErasureState state = entry.value;
        if (state.status() != ErasureStatus.PENDING) {
          if (state.finishedAtMs() + retention.toMillis() < now) {
            expired.add(entry.key);
          }
          continue;
        }
        pending++;
        long waited = now - state.firstSeenMs();
        if (waited >= pendingTimeout.toMillis()) {
          overdue++;
          if (!state.overdueReported()) {
            log.warn(
                "Erasure request {} has been pending for {} ms (timeout {}): {}",
                state.requestId(),
                waited,
                pendingTimeout,
                describeWait(state));
            updates.add(KeyValue.pair(entry.key, state.reportedOverdue()));
          }
        }
      }
    }
    updates.forEach(u -> store.put(u.key, u.value));
    expired.forEach(store::delete);
    metrics.pendingErasures(context.taskId().toString(), pending, overdue);
  }

  @Override
  public void close() {
    // The task may move to another instance: this instance no longer holds its requests.
    metrics.pendingErasures(context.taskId().toString(), 0, 0);
  }

  private static String describeWait(ErasureState state) {
    if (state.request() == null) {
      return "the job has answered but the request itself has not arrived";
    }
    if (state.affectedModels() == null) {
      return "waiting for the learner job's list of affected models";
    }
    return "waiting for models " + state.awaitedModels();
  }
}
