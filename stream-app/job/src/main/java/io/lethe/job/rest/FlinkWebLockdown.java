package io.lethe.job.rest;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.configuration.WebOptions;

/**
 * The Flink web options of every Flink that Lethe starts: no jar upload (it would run any code a
 * caller sends), no cancel or rescale from the dashboard, and cross-origin reads allowed only to
 * Lethe's own dashboard, not to any web page ({@code *}, Flink's default).
 *
 * <p>These options alone do not stop a cancel: Flink still serves {@code PATCH /jobs/<id>} with
 * {@code web.cancel.enable=false}. Mutual TLS ({@link FlinkRestTls}) does.
 */
public final class FlinkWebLockdown {
  private FlinkWebLockdown() {}

  /**
   * The options.
   *
   * @param dashboardOrigin the only origin whose pages may read the REST API, e.g. {@code
   *     http://localhost:8081}
   */
  public static Map<String, String> options(String dashboardOrigin) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put(WebOptions.SUBMIT_ENABLE.key(), "false");
    options.put(WebOptions.CANCEL_ENABLE.key(), "false");
    options.put(WebOptions.RESCALE_ENABLE.key(), "false");
    options.put(WebOptions.ACCESS_CONTROL_ALLOW_ORIGIN.key(), dashboardOrigin);
    return options;
  }
}
