package io.lethe.ingress.receipts;

import java.util.List;

/**
 * One input of the receipt tracker, keyed by request id: the request itself (accepted or rejected
 * by the ingress), the job's list of affected models, or one model's confirmation. The three are
 * merged into one stream and repartitioned by request id together, so a request and its
 * confirmations always meet in the same task, whatever the partition counts of their topics.
 *
 * @param kind which of the three this is; only the matching fields are set
 * @param request for {@link Kind#REQUEST}
 * @param rejection for {@link Kind#REQUEST}: why the ingress rejected it, or null if valid
 * @param affectedModels for {@link Kind#AFFECTED}
 * @param applied for {@link Kind#APPLIED}
 * @param origin for {@link Kind#REQUEST}: where the raw request was read and its bytes, for a dead
 *     letter if the tracker refuses it; null in events written before it existed
 */
public record ErasureEvent(
    Kind kind,
    RequestInfo request,
    String rejection,
    List<String> affectedModels,
    ModelConfirmation applied,
    Origin origin) {

  /**
   * The raw record a request was read from.
   *
   * @param topic source topic
   * @param partition source partition
   * @param offset source offset
   * @param key the original key bytes, or null
   * @param value the original value bytes (at most {@link #MAX_CARRIED_BYTES} of key and value
   *     together; larger requests carry their first bytes, see {@code DeadLetterEnvelope})
   * @param size the original's key plus value bytes
   */
  public record Origin(
      String topic, int partition, long offset, byte[] key, byte[] value, long size) {
    /** The largest original, key plus value, an event carries whole. */
    public static final int MAX_CARRIED_BYTES = 64 * 1024;
  }

  /** What an event says. */
  public enum Kind {
    /** The erasure request arrived at the ingress. */
    REQUEST,
    /** The learner job decided which models the request affects. */
    AFFECTED,
    /** One model confirmed the request. */
    APPLIED
  }

  /**
   * A valid request (when {@code rejection} is null) or a rejected one, read from {@code origin}.
   */
  public static ErasureEvent request(RequestInfo request, String rejection, Origin origin) {
    return new ErasureEvent(Kind.REQUEST, request, rejection, null, null, origin);
  }

  /** The job's list of models the request affects, possibly empty. */
  public static ErasureEvent affected(List<String> models) {
    return new ErasureEvent(Kind.AFFECTED, null, null, List.copyOf(models), null, null);
  }

  /** One model's confirmation. */
  public static ErasureEvent applied(ModelConfirmation confirmation) {
    return new ErasureEvent(Kind.APPLIED, null, null, null, confirmation, null);
  }
}
