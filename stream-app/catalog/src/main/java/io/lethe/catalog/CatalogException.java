package io.lethe.catalog;

/**
 * An invalid model catalog, found at start-up; the message names the file, the model or dataset,
 * the key, the value and what is allowed.
 */
public final class CatalogException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  CatalogException(String message) {
    super(message);
  }

  CatalogException(String message, Throwable cause) {
    super(message, cause);
  }
}
