package io.lethe.ingress.http;

import io.lethe.ingress.receipts.ErasureState;
import java.util.Optional;

/** Finds what the ingress knows about an erasure request; backed by the Streams state store. */
@FunctionalInterface
public interface ErasureStatusLookup {

  /** The answer to one lookup. */
  sealed interface Answer {}

  /** The request is tracked by this instance. */
  record Found(ErasureState state) implements Answer {}

  /** No instance knows the request. */
  record NotFound() implements Answer {}

  /** Another instance of the ingress holds the request; ask it at {@code baseUrl}. */
  record ElsewhereAt(String baseUrl) implements Answer {}

  /**
   * The state store cannot be queried right now (starting, rebalancing); try again later.
   *
   * @param why sent to the caller: the lookup's own words, never an exception's text
   */
  record Unavailable(String why) implements Answer {}

  /** Looks {@code requestId} up. */
  Answer find(String requestId);

  /**
   * Why lookups cannot be answered yet (e.g. the store is restoring), or empty once they can;
   * {@code GET /readyz} answers 503 with it. Sent to the caller: the lookup's own words, never an
   * exception's text. The default is always ready.
   */
  default Optional<String> notReadyReason() {
    return Optional.empty();
  }

  /** A lookup answering from a fixed set of states, for tests. */
  static ErasureStatusLookup of(java.util.Map<String, ErasureState> states) {
    return id ->
        Optional.ofNullable(states.get(id)).<Answer>map(Found::new).orElseGet(NotFound::new);
  }
}
