package io.lethe.ingress;

import io.lethe.ingress.receipts.ErasureEvent;
import io.lethe.records.DeadLetter;
import io.lethe.records.ErasureReceipt;
import java.util.List;

/**
 * What an ingress processor decided about one record: forward it, dead-letter it, tell the receipt
 * tracker about a request, or publish a receipt. The topology fans these out to their topics.
 *
 * @param <T> the accepted record type
 */
public sealed interface IntakeOutcome<T> {

  /** A valid record to forward to the clean topic. */
  record Accepted<T>(T value) implements IntakeOutcome<T> {}

  /** A rejected record's dead-letter envelope (its headers travel on the Kafka record). */
  record DeadLettered<T>(DeadLetter letter) implements IntakeOutcome<T> {}

  /** An erasure request, valid or rejected, for the receipt tracker (keyed by request id). */
  record Tracked<T>(ErasureEvent event) implements IntakeOutcome<T> {}

  /** A receipt for the receipts topic (keyed by request id). */
  record Answered<T>(ErasureReceipt receipt) implements IntakeOutcome<T> {}

  /** The accepted value, as a list of zero or one for {@code flatMapValues}. */
  default List<T> accepted() {
    return this instanceof Accepted<T> a ? List.of(a.value()) : List.of();
  }

  /** The dead letter, as a list of zero or one. */
  default List<DeadLetter> deadLetters() {
    return this instanceof DeadLettered<T> d ? List.of(d.letter()) : List.of();
  }

  /** The receipt, as a list of zero or one. */
  default List<ErasureReceipt> receipts() {
    return this instanceof Answered<T> a ? List.of(a.receipt()) : List.of();
  }

  /** The tracker event, as a list of zero or one. */
  default List<ErasureEvent> tracked() {
    return this instanceof Tracked<T> t ? List.of(t.event()) : List.of();
  }
}
