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
 */
public record ErasureEvent(
    Kind kind,
    RequestInfo request,
    String rejection,
    List<String> affectedModels,
    ModelConfirmation applied) {

  /** What an event says. */
  public enum Kind {
    /** The erasure request arrived at the ingress. */
    REQUEST,
    /** The learner job decided which models the request affects. */
    AFFECTED,
    /** One model confirmed the request. */
    APPLIED
  }

  /** A valid request (when {@code rejection} is null) or a rejected one. */
  public static ErasureEvent request(RequestInfo request, String rejection) {
    return new ErasureEvent(Kind.REQUEST, request, rejection, null, null);
  }

  /** The job's list of models the request affects, possibly empty. */
  public static ErasureEvent affected(List<String> models) {
    return new ErasureEvent(Kind.AFFECTED, null, null, List.copyOf(models), null);
  }

  /** One model's confirmation. */
  public static ErasureEvent applied(ModelConfirmation confirmation) {
    return new ErasureEvent(Kind.APPLIED, null, null, null, confirmation);
  }
}
