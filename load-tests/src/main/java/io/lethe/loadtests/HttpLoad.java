package io.lethe.loadtests;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * A closed-loop HTTP load generator: {@code clients} threads, each sending its next POST as soon as
 * the previous answer arrived, for a fixed time. Every request's start and latency are kept, so
 * that a caller can look at the requests that overlapped an event (a model swap) separately.
 *
 * <p>Closed loop means the offered load adapts to the server: throughput is what the server
 * sustains at that concurrency, and latency is measured from the moment each request is sent.
 *
 * <p>The generator shares the machine with what it measures, so it is made cheap: each request is
 * encoded once, headers and body, before the run; each client thread keeps one HTTP/1.1 connection
 * open (keep-alive) and writes and reads it itself, blocking, with no other thread in between. The
 * CPU time the client threads used in the measured period is reported ({@link
 * Result#clientCpuNanos()}).
 */
public final class HttpLoad {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final InetSocketAddress address;
  private final List<byte[]> requests;

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
    if (!"http".equals(target.getScheme()) || target.getHost() == null) {
      throw new IllegalArgumentException("the target must be an http:// URL, got " + target);
    }
    int port = target.getPort() == -1 ? 80 : target.getPort();
    this.address = new InetSocketAddress(target.getHost(), port);
    String path =
        target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
    if (target.getRawQuery() != null) {
      path += "?" + target.getRawQuery();
    }
    List<byte[]> encoded = new ArrayList<>(bodies.size());
    for (byte[] body : bodies) {
      String head =
          "POST "
              + path
              + " HTTP/1.1\r\nHost: "
              + target.getHost()
              + ":"
              + port
              + "\r\nContent-Type: application/json\r\n"
              + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
              + "Content-Length: "
              + body.length
              + "\r\n\r\n";
      byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
      byte[] request = new byte[headBytes.length + body.length];
      System.arraycopy(headBytes, 0, request, 0, headBytes.length);
      System.arraycopy(body, 0, request, headBytes.length, body.length);
      encoded.add(request);
    }
    this.requests = List.copyOf(encoded);
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
   * @param clientCpuNanos CPU time the client threads used in the measured period
   */
  public record Result(
      int clients,
      long startNanos,
      long elapsedNanos,
      List<Sample> samples,
      long errors,
      String firstError,
      long clientCpuNanos) {

    /** The clients' CPU time per successful request, in microseconds. */
    public double clientCpuMicrosPerRequest() {
      return samples.isEmpty() ? Double.NaN : clientCpuNanos / 1e3 / samples.size();
    }

    /** The clients' CPU time as a share of one core over the measured period. */
    public double clientCores() {
      return clientCpuNanos / (double) elapsedNanos;
    }

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
    AtomicLong clientCpu = new AtomicLong();
    CountDownLatch done = new CountDownLatch(clients);
    for (int c = 0; c < clients; c++) {
      List<Sample> samples = new ArrayList<>();
      perClient.add(samples);
      int client = c;
      Thread thread =
          new Thread(
              () -> {
                Connection connection = new Connection();
                long cpuAtWarmupEnd = -1;
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
                    if (start >= warmupEnd && cpuAtWarmupEnd < 0) {
                      cpuAtWarmupEnd = THREADS.getCurrentThreadCpuTime();
                    }
                    byte[] request = requests.get(Math.floorMod(next++, requests.size()));
                    String failure = connection.send(request);
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
                  if (cpuAtWarmupEnd >= 0) {
                    clientCpu.addAndGet(THREADS.getCurrentThreadCpuTime() - cpuAtWarmupEnd);
                  }
                  connection.close();
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
    return new Result(
        clients, warmupEnd, end - warmupEnd, all, errorCount, firstError.get(), clientCpu.get());
  }

  /**
   * One client's HTTP/1.1 connection, opened on first use and again after a failure; the server
   * keeps it open between requests (keep-alive) unless it answers {@code Connection: close}.
   */
  private final class Connection {
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    /** Sends one pre-encoded request; null on a 200, else what went wrong. */
    String send(byte[] request) {
      try {
        if (socket == null) {
          socket = new Socket();
          socket.setTcpNoDelay(true);
          socket.connect(address, 5_000);
          socket.setSoTimeout(30_000);
          in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
          out = socket.getOutputStream();
        }
        out.write(request);
        out.flush();
        String status = line();
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
          throw new IOException("not an HTTP/1.1 status line: " + status);
        }
        int code = Integer.parseInt(parts[1]);
        long length = -1;
        boolean chunked = false;
        boolean closeAfter = false;
        for (String header = line(); !header.isEmpty(); header = line()) {
          int colon = header.indexOf(':');
          if (colon < 0) {
            continue;
          }
          String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
          String value = header.substring(colon + 1).trim();
          switch (name) {
            case "content-length" -> length = Long.parseLong(value);
            case "transfer-encoding" -> chunked = value.equalsIgnoreCase("chunked");
            case "connection" -> closeAfter = value.equalsIgnoreCase("close");
            default -> {}
          }
        }
        byte[] body = chunked ? chunkedBody() : in.readNBytes((int) Math.max(0, length));
        if (!chunked && length < 0) {
          throw new IOException("an answer without Content-Length or chunked encoding");
        }
        if (closeAfter) {
          close();
        }
        return code == 200
            ? null
            : "HTTP " + code + ": " + new String(body, StandardCharsets.UTF_8);
      } catch (IOException | RuntimeException e) {
        close();
        return e.toString();
      }
    }

    private byte[] chunkedBody() throws IOException {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (true) {
        String size = line();
        int semicolon = size.indexOf(';');
        int n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
        if (n == 0) {
          while (!line().isEmpty()) {
            // trailers
          }
          return body.toByteArray();
        }
        body.write(in.readNBytes(n));
        line(); // the CRLF after the chunk
      }
    }

    /** One header line without its CRLF. */
    private String line() throws IOException {
      StringBuilder line = new StringBuilder(64);
      while (true) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("the server closed the connection");
        }
        if (b == '\n') {
          int last = line.length() - 1;
          if (last >= 0 && line.charAt(last) == '\r') {
            line.setLength(last);
          }
          return line.toString();
        }
        line.append((char) b);
      }
    }

    void close() {
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException e) {
          // nothing to do: the connection is dropped either way
        }
        socket = null;
      }
    }
  }
}
