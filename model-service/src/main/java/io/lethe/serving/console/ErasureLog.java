package io.lethe.serving.console;

import io.lethe.records.ErasureReceipt;
import io.lethe.records.ErasureRequest;
import io.lethe.records.ErasureScope;
import io.lethe.records.ModelErasure;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The newest erasure requests the console knows of, by request id, with their state: {@code
 * pending} (validated, on the erasures topic, no receipt yet), {@code completed} or {@code
 * rejected} (from the receipt). At most {@code capacity} requests are kept; the oldest seen is
 * forgotten first. Thread safe: two followers write, HTTP requests read.
 *
 * <p>A rejected request never reaches the erasures topic, so its subject is unknown here: search
 * finds it by request id only.
 */
final class ErasureLog {
  /** Most requests one search answers with. */
  static final int MAX_RESULTS = 200;

  private final int capacity;
  private final Map<String, Entry> entries;

  ErasureLog(int capacity) {
    this.capacity = capacity;
    this.entries =
        new LinkedHashMap<>(16, 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > ErasureLog.this.capacity;
          }
        };
  }

  /** One request as far as the console knows it. */
  private static final class Entry {
    final String requestId;
    String scope;
    String subject;
    List<String> tasks = List.of();
    String requester;
    long requestedAt;
    ErasureReceipt receipt;

    Entry(String requestId) {
      this.requestId = requestId;
    }

    String state() {
      if (receipt == null) {
        return "pending";
      }
      return receipt.getStatus().name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A validated request read from the erasures topic. */
  synchronized void requested(ErasureRequest request) {
    Entry entry = entries.computeIfAbsent(request.getRequestId(), Entry::new);
    entry.scope = request.getScope().name();
    entry.requester = request.getRequester();
    entry.requestedAt = request.getRequestedAt().toEpochMilli();
    if (request.getScope() == ErasureScope.SUBJECT && !request.getIds().isEmpty()) {
      entry.subject = request.getIds().get(0);
    } else if (request.getScope() == ErasureScope.SAMPLE) {
      entry.subject = request.getSubjectId();
    } else if (request.getScope() == ErasureScope.TASK) {
      entry.tasks = List.copyOf(request.getIds());
    }
  }

  /** A receipt read from the receipts topic; a later receipt of the same request replaces it. */
  synchronized void receipt(ErasureReceipt receipt) {
    Entry entry = entries.computeIfAbsent(receipt.getRequestId(), Entry::new);
    entry.receipt = receipt;
    entry.scope = receipt.getScope().name();
    entry.requester = receipt.getRequester();
    entry.requestedAt = receipt.getRequestedAt().toEpochMilli();
  }

  /** How many requests are kept, by state. */
  synchronized Map<String, Integer> counts() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put("pending", 0);
    counts.put("completed", 0);
    counts.put("rejected", 0);
    entries.values().forEach(e -> counts.merge(e.state(), 1, Integer::sum));
    return counts;
  }

  /**
   * The newest requests whose id contains {@code query} or whose subject equals it (all if it is
   * blank), newest first, at most {@link #MAX_RESULTS}, and how many matched in all.
   */
  synchronized Map<String, Object> search(String query) {
    String q = query == null ? "" : query.strip();
    List<Entry> all = new ArrayList<>(entries.values());
    List<Map<String, Object>> found = new ArrayList<>();
    int matched = 0;
    for (int i = all.size() - 1; i >= 0; i--) {
      Entry entry = all.get(i);
      if (q.isEmpty() || entry.requestId.contains(q) || q.equals(entry.subject)) {
        matched++;
        if (found.size() < MAX_RESULTS) {
          found.add(describe(entry));
        }
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("query", q);
    out.put("matched", matched);
    out.put("kept", entries.size());
    out.put("capacity", capacity);
    out.put("erasures", found);
    return out;
  }

  private static Map<String, Object> describe(Entry entry) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("request_id", entry.requestId);
    out.put("state", entry.state());
    out.put("scope", entry.scope);
    out.put("subject", entry.subject);
    out.put("tasks", entry.tasks);
    out.put("requester", entry.requester);
    out.put("requested_at", entry.requestedAt);
    ErasureReceipt receipt = entry.receipt;
    if (receipt != null) {
      out.put("completed_at", receipt.getCompletedAt().toEpochMilli());
      out.put("latency_ms", receipt.getLatencyMs());
      out.put("reason", receipt.getReason());
      List<Map<String, Object>> models = new ArrayList<>();
      for (ModelErasure model : receipt.getModels()) {
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("model", model.getModel());
        one.put("guarantee", model.getGuarantee().name());
        one.put("first_version_without", model.getFirstVersionWithout());
        one.put("reason", model.getReason());
        models.add(one);
      }
      out.put("models", models);
    }
    return out;
  }
}
