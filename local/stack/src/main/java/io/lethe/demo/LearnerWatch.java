package io.lethe.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.client.JobCancellationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the learner of a running stack and reports, once, when it stops learning. With the job's
 * {@link JobClient} (the embedded stack) that is when the job is cancelled, fails or finishes; a
 * job restarting in a loop fails once its restart attempts run out. Without one (a job on a cluster
 * this process did not submit) it is when the model service reports a model's learner as {@code
 * not-running} because its heartbeats stopped. The client is trusted over the heartbeats where
 * there is one: heartbeats become visible only when a checkpoint commits, and under a heavy
 * start-up backlog a live job's checkpoints can take longer than the service's staleness bound.
 * What {@code lethe demo} and {@code lethe bench} stop on.
 */
public final class LearnerWatch implements AutoCloseable {
  /** Exit status of {@code lethe demo} and {@code lethe bench} when the learner stopped. */
  public static final int EXIT_STATUS = 3;

  /** How often the service is asked. */
  static final Duration EVERY = Duration.ofSeconds(1);

  private static final Logger LOG = LoggerFactory.getLogger(LearnerWatch.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);

  private final JobClient job;
  private final String serviceUrl;
  private final String authorization;
  private final List<String> models;
  private final Consumer<String> onStop;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(ASK_TIMEOUT).build();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "lethe-learner-watch");
            thread.setDaemon(true);
            return thread;
          });

  private LearnerWatch(
      JobClient job,
      String serviceUrl,
      String authorization,
      List<String> models,
      Consumer<String> onStop) {
    this.job = job;
    this.serviceUrl = serviceUrl;
    this.authorization = authorization;
    this.models = List.copyOf(models);
    this.onStop = onStop;
  }

  /**
   * Starts watching.
   *
   * @param job the learner job's client, or null if this process did not submit it (then the
   *     service is asked every {@link #EVERY})
   * @param serviceUrl base URL of the model service
   * @param models the models whose learners to watch
   * @param onStop called at most once, before {@link #close()}, with what happened and what it
   *     means; on the watch's thread or on one of the job client's
   */
  public static LearnerWatch start(
      JobClient job, String serviceUrl, List<String> models, Consumer<String> onStop) {
    return start(job, serviceUrl, null, models, onStop);
  }

  /**
   * As {@link #start(JobClient, String, List, Consumer)}, sending {@code authorization} (e.g.
   * {@code Bearer <token>}; null: none) with every request to the service.
   */
  public static LearnerWatch start(
      JobClient job,
      String serviceUrl,
      String authorization,
      List<String> models,
      Consumer<String> onStop) {
    LearnerWatch watch = new LearnerWatch(job, serviceUrl, authorization, models, onStop);
    if (job != null) {
      watch.watchJob();
    } else {
      watch.timer.scheduleWithFixedDelay(
          watch::check, EVERY.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }
    return watch;
  }

  /** Reports once; later calls do nothing. */
  private void report(String why) {
    if (stopped.compareAndSet(false, true)) {
      onStop.accept(
          why
              + "; erasures are no longer applied and the served models no longer change,"
              + " so everything is stopped");
      timer.shutdown();
    }
  }

  private void check() {
    if (stopped.get()) {
      return;
    }
    try {
      String why = serviceReportsStopped();
      if (why != null) {
        report(why);
      }
    } catch (RuntimeException e) {
      // keep watching: a periodic task that throws is never run again
      LOG.warn("could not ask the model service about the learner: {}", e.toString());
    }
  }

  /**
   * Reports when the job ends, however it ends. Its execution result completes when it does (the
   * MiniCluster of a job run locally shuts down with it, after which the client cannot even be
   * asked for the job's status).
   */
  private void watchJob() {
    job.getJobExecutionResult()
        .whenComplete(
            (result, error) -> {
              if (error == null) {
                report("the learner job " + job.getJobID() + " finished");
              } else if (cancelled(error)) {
                report(
                    "the learner job "
                        + job.getJobID()
                        + " is canceled (through Flink's REST API or a Flink client)");
              } else {
                report("the learner job " + job.getJobID() + " failed: " + rootCause(error));
              }
            });
  }

  private static boolean cancelled(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof JobCancellationException) {
        return true;
      }
    }
    return false;
  }

  private static String rootCause(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.toString();
  }

  /** Why the service says a learner is not running, or null if it says no such thing. */
  private String serviceReportsStopped() {
    for (String model : models) {
      JsonNode described = describe(model);
      if (described == null || !"not-running".equals(described.path("learner_status").asText())) {
        continue;
      }
      JsonNode heartbeat = described.path("learner_heartbeat");
      return "the model service reports the learner of "
          + model
          + " as not running: its newest heartbeat ("
          + heartbeat.path("emitted_at").asText("none")
          + ") is "
          + heartbeat.path("age_seconds").asText("?")
          + " s old, stale after "
          + heartbeat.path("stale_after_seconds").asText("?")
          + " s";
    }
    return null;
  }

  private JsonNode describe(String model) {
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(serviceUrl + "/v1/models/" + model))
              .timeout(ASK_TIMEOUT);
      if (authorization != null) {
        request.header("Authorization", authorization);
      }
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
    } catch (IOException e) {
      return null; // the service is not up (yet): nothing to conclude about the learner
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Stops watching. */
  @Override
  public void close() {
    stopped.set(true);
    timer.shutdownNow();
  }
}
