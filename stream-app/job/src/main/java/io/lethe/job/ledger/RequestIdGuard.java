package io.lethe.job.ledger;

import io.lethe.job.JobMetrics;
import io.lethe.job.events.ErasureEvent;
import io.lethe.job.events.KafkaOut;
import io.lethe.job.kafka.JobDeadLetters;
import io.lethe.records.DeadLetterKind;
import io.lethe.validation.DeadLetterEnvelope;
import io.lethe.validation.ErasureContent;
import io.lethe.validation.Rejection;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes erasure request ids idempotency keys inside the job, keyed by request id, so that a record
 * written straight to {@code lethe.erasures} cannot bypass the rule the ingress applies: the first
 * request with an id passes; the same id with the same content ({@link
 * ErasureContent#fingerprint()}) is a retry, counted and dropped (nothing runs again and nothing is
 * published); the same id with other content is never executed and is dead-lettered with {@value
 * Rejection#REQUEST_ID_REUSED}.
 *
 * <p>State per request id: the first request's fingerprint, removed {@code retention} after that
 * request passed (a processing-time timer). After that the id is forgotten: a request reusing it
 * then runs as a new request. The retention should be at least the ingress's receipt retention, for
 * which a privacy system may retry a request.
 */
public final class RequestIdGuard extends KeyedProcessFunction<String, ErasureEvent, ErasureEvent> {
  private static final long serialVersionUID = 1L;
  private static final Logger log = LoggerFactory.getLogger(RequestIdGuard.class);

  /** Side output: dead letters of requests that reuse an id with other content. */
  public static final OutputTag<KafkaOut> DEAD_LETTERS =
      new OutputTag<>("request-id-dead-letters", TypeInformation.of(KafkaOut.class));

  private final long retentionMillis;

  private transient ValueState<String> fingerprint;
  private transient Counter retries;
  private transient Counter reused;

  /**
   * @param retention how long a request id is remembered after its first request passed
   */
  public RequestIdGuard(Duration retention) {
    if (retention.isZero() || retention.isNegative()) {
      throw new IllegalArgumentException("request id retention must be > 0, was " + retention);
    }
    this.retentionMillis = retention.toMillis();
  }

  @Override
  public void open(OpenContext openContext) {
    fingerprint =
        getRuntimeContext().getState(new ValueStateDescriptor<>("fingerprint", Types.STRING));
    var metrics = getRuntimeContext().getMetricGroup();
    retries = metrics.counter(JobMetrics.ERASURE_RETRIES);
    reused = metrics.counter(JobMetrics.ERASURE_IDS_REUSED);
  }

  @Override
  public void processElement(ErasureEvent request, Context ctx, Collector<ErasureEvent> out)
      throws Exception {
    String first = fingerprint.value();
    long now = ctx.timerService().currentProcessingTime();
    if (first == null) {
      fingerprint.update(request.fingerprint);
      ctx.timerService().registerProcessingTimeTimer(now + retentionMillis);
      out.collect(request);
    } else if (first.equals(request.fingerprint)) {
      retries.inc();
      log.debug("Erasure request {} is a retry of an executed request; ignored", request.requestId);
    } else {
      reused.inc();
      // The request id only: the content names subjects, which stay out of logs at INFO.
      log.info(
          "Refused erasure request {}: its id was used before with other content",
          request.requestId);
      ctx.output(DEAD_LETTERS, deadLetter(request, Instant.ofEpochMilli(now)));
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<ErasureEvent> out) {
    fingerprint.clear();
  }

  private static KafkaOut deadLetter(ErasureEvent request, Instant now) {
    Rejection rejection =
        new Rejection(
            Rejection.REQUEST_ID_REUSED,
            "erasure request "
                + request.requestId
                + " reuses the id of an earlier request with other content; not executed (send"
                + " new content under a new request id)");
    if (request.source == null) {
      return JobDeadLetters.withoutBytes(
          request.requestId, DeadLetterEnvelope.Source.unknown(), rejection, now);
    }
    return JobDeadLetters.of(request.source, DeadLetterKind.INVALID, rejection, now);
  }
}
