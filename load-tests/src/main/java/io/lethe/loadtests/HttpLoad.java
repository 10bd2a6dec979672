package io.lethe.loadtests;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * A closed-loop HTTP load generator: {@code clients} threads, each sending its next POST as soon as
 * the previous answer arrived, for a fixed time. Every request's start and latency are kept, so
 * that a caller can look at the requests that overlapped an event (a model swap) separately.
 *
 * <p>Closed loop means the offered load adapts to the server: throughput is what the server
 * sustains at that concurrency, and latency is measured from the moment each request is sent.
 */
public final class HttpLoad {
  private final HttpClient http;
  private final URI target;
  private final List<byte[]> bodies;
  private final String authorization;

  /**
   * @param target the URL to POST to
   * @param bodies request bodies, used round-robin (each client starts at its own offset)
   */
  public HttpLoad(URI target, List<byte[]> bodies) {
    this(target, bodies, null);
  }

  /**
   * @param target the URL to POST to
   * @param bodies request bodies, used round-robin (each client starts at its own offset)
   * @param authorization the {@code Authorization} header of every request (e.g. {@code Bearer
   *     <token>}), or null for none
   */
  public HttpLoad(URI target, List<byte[]> bodies, String authorization) {
    if (bodies.isEmpty()) {
      throw new IllegalArgumentException("no request bodies");
    }
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    this.target = target;
    this.bodies = List.copyOf(bodies);
    this.authorization = authorization;
  }

  /** One request: when it was sent (System.nanoTime) and how long it took. */
  public record Sample(long startNanos, long latencyNanos) {
    public long endNanos() {
      return startNanos + latencyNanos;
    }
  }

  /**
   * The outcome of one run.
   *
   * @param clients concurrent clients
   * @param startNanos when the measured period began
   * @param elapsedNanos length of the measured period
   * @param samples every successful request
   * @param errors requests that failed or did not answer 200
   * @param firstError the first failure, or null
   */
  public record Result(
      int clients,
      long startNanos,
      long elapsedNanos,
      List<Sample> samples,
      long errors,
      String firstError) {

    /** Successful requests per second. */
    public double throughput() {
      return samples.size() / (elapsedNanos / 1e9);
    }

    /** Latency histogram of the samples {@code filter} keeps, in microseconds. */
    public Histogram histogram(java.util.function.Predicate<Sample> filter) {
      Histogram histogram = new Histogram(3_600_000_000L, 3);
      for (Sample sample : samples) {
        if (filter.test(sample)) {
          histogram.recordValue(Math.max(1, sample.latencyNanos() / 1_000));
        }
      }
      return histogram;
    }

    /** Latency histogram of all samples, in microseconds. */
    public Histogram histogram() {
      return histogram(sample -> true);
    }
  }

  /**
   * Runs {@code clients} closed-loop clients for {@code warmup} (not recorded) and then {@code
   * duration} (recorded). Blocks until done.
   */
  public Result run(int clients, Duration warmup, Duration duration) throws InterruptedException {
    return run(clients, warmup, duration, 0);
  }

  /**
   * As {@link #run(int, Duration, Duration)}, but each client sends at most {@code ratePerClient}
   * requests per second (0 = closed loop, as fast as answers come): a steady, known load that
   * leaves the machine to what is measured alongside it. A request that is due while the previous
   * one is still out goes right after it answers.
   */
  public Result run(int clients, Duration warmup, Duration duration, double ratePerClient)
      throws InterruptedException {
    long warmupEnd = System.nanoTime() + warmup.toNanos();
    long end = warmupEnd + duration.toNanos();
    List<List<Sample>> perClient = new ArrayList<>();
    long[] errors = new long[clients];
    AtomicReference<String> firstError = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(clients);
    for (int c = 0; c < clients; c++) {
      List<Sample> samples = new ArrayList<>();
      perClient.add(samples);
      int client = c;
      Thread thread =
          new Thread(
              () -> {
                try {
                  int next = client * 7919;
                  long due = System.nanoTime();
                  while (true) {
                    if (ratePerClient > 0) {
                      due += (long) (1e9 / ratePerClient);
                      long wait = due - System.nanoTime();
                      if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                      }
                    }
                    long start = System.nanoTime();
                    if (start >= end) {
                      break;
                    }
                    byte[] body = bodies.get(Math.floorMod(next++, bodies.size()));
                    String failure = send(body);
                    long latency = System.nanoTime() - start;
                    if (start < warmupEnd) {
                      continue;
                    }
                    if (failure == null) {
                      samples.add(new Sample(start, latency));
                    } else {
                      errors[client]++;
                      firstError.compareAndSet(null, failure);
                    }
                  }
                } finally {
                  done.countDown();
                }
              },
              "load-client-" + c);
      thread.setDaemon(true);
      thread.start();
    }
    done.await();
    List<Sample> all = new ArrayList<>();
    perClient.forEach(all::addAll);
    long errorCount = 0;
    for (long e : errors) {
      errorCount += e;
    }
    return new Result(clients, warmupEnd, end - warmupEnd, all, errorCount, firstError.get());
  }

  /** Sends one request; null on a 200, else what went wrong. */
  private String send(byte[] body) {
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(target)
              .timeout(Duration.ofSeconds(30))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(body));
      if (authorization != null) {
        request.header("Authorization", authorization);
      }
      HttpResponse<byte[]> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      return response.statusCode() == 200
          ? null
          : "HTTP " + response.statusCode() + ": " + new String(response.body());
    } catch (IOException e) {
      return e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }
}
