package io.lethe.ingress.receipts;

import io.lethe.ingress.IngressMetrics;
import io.lethe.ingress.IntakeOutcome;
import io.lethe.records.DeadLetter;
import io.lethe.records.DeadLetterKind;
import io.lethe.records.ErasureReceipt;
import io.lethe.records.ErasureRequest;
import io.lethe.validation.DeadLetterEnvelope;
import io.lethe.validation.DeadLetterHeaders;
import io.lethe.validation.Rejection;
import java.time.Duration;
import java.time.Instant;
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
 * Decides each erasure request by its request id, an idempotency key, and joins it with the job's
 * affected models and per-model confirmations in the receipt store (keyed by request id): forwards
 * a new request to the learner job, publishes one {@link ErasureReceipt} when every affected model
 * has confirmed (or at once when the ingress rejected the request), treats the same id with the
 * same content ({@link io.lethe.validation.ErasureContent}) as a retry that runs nothing and sends
 * the receipt again, and dead-letters the same id with other content ({@value
 * Rejection#REQUEST_ID_REUSED}), leaving the first request's state and receipt as they were. A
 * finished request is remembered for the receipt retention; after it, its id is free again.
 *
 * <p>A wall-clock punctuation reports requests pending longer than the timeout (log line with the
 * request id and the models still awaited, and the overdue gauge) without dropping them, refreshes
 * the pending gauge, and deletes finished requests after their retention.
 */
public final class ErasureTracker
    implements Processor<String, ErasureEvent, String, IntakeOutcome<ErasureRequest>> {
  /** The {@code component} of the tracker's dead letters. */
  private static final String COMPONENT = "ingress";

  private static final Logger log = LoggerFactory.getLogger(ErasureTracker.class);

  private final String storeName;
  private final Duration pendingTimeout;
  private final Duration retention;
  private ProcessorContext<String, IntakeOutcome<ErasureRequest>> context;
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
  public void init(ProcessorContext<String, IntakeOutcome<ErasureRequest>> context) {
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
      log.warn("Ignoring a receipt-tracker event without request id or value");
      return;
    }
    long now = context.currentSystemTimeMs();
    ErasureState before = store.get(requestId);
    ErasureState state = before != null ? before : ErasureState.unknown(requestId, now);
    if (event.kind() == ErasureEvent.Kind.REQUEST) {
      onRequest(state, event, now);
      return;
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
          case AFFECTED -> onAffected(state, event);
          case APPLIED -> onApplied(state, event);
          case REQUEST -> throw new IllegalStateException("handled above");
        };
    update(state, now);
  }

  /**
   * A request arrived: new, a corrected copy of a rejected one, a retry (same id, same content) or
   * a reused id (same id, other content). Only a new or corrected request reaches the learner job.
   */
  private void onRequest(ErasureState state, ErasureEvent event, long now) {
    RequestInfo request = event.request();
    boolean valid = event.rejection() == null;
    if (state.request() == null) {
      if (valid) {
        forward(request, now);
        update(state.withRequest(request), now);
      } else {
        update(state.rejected(request, event.rejection(), now), now);
      }
      return;
    }
    if (state.status() == ErasureStatus.REJECTED) {
      if (valid) {
        // Nothing ran for the rejected request, so its id is free: like an idempotency key after a
        // validation error, the privacy system may correct the request and send it again.
        log.info(
            "Erasure request {} was rejected before; tracking its corrected copy",
            state.requestId());
        forward(request, now);
        update(ErasureState.unknown(state.requestId(), now).withRequest(request), now);
      } else {
        log.info("Erasure request {} was rejected again", state.requestId());
      }
      return;
    }
    if (!valid) {
      // Dead-lettered by the intake with its own reason; the accepted request stands.
      log.info(
          "Erasure request {} is {}; an invalid request under its id changes nothing",
          state.requestId(),
          state.status());
      return;
    }
    if (state.request().sameContentAs(request)) {
      metrics.retry();
      log.info("Erasure request {} is {}; a retry runs nothing", state.requestId(), state.status());
      if (state.status() == ErasureStatus.COMPLETED) {
        // The receipt stands; send it again for a privacy system that may have missed it.
        context.forward(
            new Record<>(state.requestId(), new IntakeOutcome.Answered<>(state.toReceipt()), now));
      }
      return;
    }
    refuseReuse(state, event, now);
  }

  private void forward(RequestInfo request, long now) {
    metrics.accepted(IngressMetrics.ERASURES);
    ErasureRequest erasure = request.toRequest();
    context.forward(
        new Record<String, IntakeOutcome<ErasureRequest>>(
            request.routingKey(), new IntakeOutcome.Accepted<>(erasure), now));
  }

  private void refuseReuse(ErasureState state, ErasureEvent event, long now) {
    log.warn(
        "Erasure request {} is {} for other content; refusing a request that reuses its id",
        state.requestId(),
        state.status());
    metrics.rejected(IngressMetrics.ERASURES, Rejection.REQUEST_ID_REUSED);
    ErasureEvent.Origin origin = event.origin();
    DeadLetterEnvelope.Source source =
        origin == null
            ? DeadLetterEnvelope.Source.unknown()
            : new DeadLetterEnvelope.Source(origin.topic(), origin.partition(), origin.offset());
    Rejection rejection =
        new Rejection(
            Rejection.REQUEST_ID_REUSED,
            "erasure request "
                + state.requestId()
                + " at "
                + source
                + " reuses the id of a "
                + state.status()
                + " request with other content (scope, ids, subject, dataset, models or"
                + " requester differ); not executed, and the first request's receipt stands");
    DeadLetter letter =
        DeadLetterEnvelope.of(
            COMPONENT,
            source,
            DeadLetterKind.INVALID,
            rejection,
            origin == null ? null : origin.key(),
            origin == null ? null : origin.value(),
            origin == null ? -1 : origin.size(),
            ErasureEvent.Origin.MAX_CARRIED_BYTES,
            Instant.ofEpochMilli(now));
    context.forward(
        new Record<String, IntakeOutcome<ErasureRequest>>(
            state.requestId(),
            new IntakeOutcome.DeadLettered<>(letter),
            now,
            DeadLetterHeaders.of(letter)));
  }

  /** Stores {@code state} and, once it is finished, publishes its receipt. */
  private void update(ErasureState state, long now) {
    if (state.readyToComplete()) {
      state = state.completed(now);
    }
    store.put(state.requestId(), state);
    if (state.status() != ErasureStatus.PENDING) {
      ErasureReceipt receipt = state.toReceipt();
      log.info(
          "Erasure request {} {} after {} ms",
          state.requestId(),
          state.status(),
          receipt.getLatencyMs());
      metrics.receipt(receipt.getStatus().name());
      // from its arrival here, not from the requester's clock (the receipt's latency)
      metrics.erasureToReceipt(
          Duration.ofMillis(Math.max(0, state.finishedAtMs() - state.firstSeenMs())));
      context.forward(
          new Record<String, IntakeOutcome<ErasureRequest>>(
              state.requestId(), new IntakeOutcome.Answered<>(receipt), now));
    }
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
