package io.lethe.serving.console;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Dead letters counted by the component that rejected them, their kind ({@code MALFORMED} or {@code
 * INVALID}) and reason code, read from the headers every Lethe dead letter carries (see
 * docs/dead-letters.md). The payload and the reason's text (which can name a sample or subject) are
 * never read. Thread safe.
 */
final class DeadLetterCounts {
  // the header names of io.lethe.validation.DeadLetterHeaders, which the service does not depend on
  static final String KIND = "lethe.dlq.kind";
  static final String REASON_CODE = "lethe.dlq.reason.code";
  static final String COMPONENT = "lethe.dlq.component";

  /** Most distinct (component, kind, reason) keys; more are counted under reason {@code other}. */
  static final int MAX_KEYS = 256;

  private record Key(String component, String kind, String reason) {}

  private static final class Count {
    long count;
    long lastAt;
  }

  private final Map<Key, Count> counts = new LinkedHashMap<>();
  private long total;

  /** Counts one dead letter with {@code headers}, written at {@code timestamp} (epoch ms). */
  synchronized void add(Headers headers, long timestamp) {
    Key key = new Key(text(headers, COMPONENT), text(headers, KIND), text(headers, REASON_CODE));
    if (!counts.containsKey(key) && counts.size() >= MAX_KEYS) {
      key = new Key(key.component(), key.kind(), "other");
    }
    Count count = counts.computeIfAbsent(key, k -> new Count());
    count.count++;
    count.lastAt = Math.max(count.lastAt, timestamp);
    total++;
  }

  /** Every count, largest first, and the total. */
  synchronized Map<String, Object> describe() {
    List<Map<String, Object>> rows = new ArrayList<>();
    counts.entrySet().stream()
        .sorted(Comparator.comparingLong((Map.Entry<Key, Count> e) -> -e.getValue().count))
        .forEach(
            e -> {
              Map<String, Object> row = new LinkedHashMap<>();
              row.put("component", e.getKey().component());
              row.put("kind", e.getKey().kind());
              row.put("reason", e.getKey().reason());
              row.put("count", e.getValue().count);
              row.put("last_at", e.getValue().lastAt);
              rows.add(row);
            });
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("total", total);
    out.put("by_reason", rows);
    return out;
  }

  private static String text(Headers headers, String name) {
    Header header = headers.lastHeader(name);
    if (header == null || header.value() == null) {
      return "unknown";
    }
    String value = new String(header.value(), StandardCharsets.UTF_8);
    // a header is written by Lethe, but bound what a label can cost all the same
    return value.length() > 64 ? value.substring(0, 64) : value;
  }
}
