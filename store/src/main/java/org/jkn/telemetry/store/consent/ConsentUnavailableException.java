package org.jkn.telemetry.store.consent;

/**
 * A patient's consent could not be loaded (the database is unreachable) and none was known: nothing
 * of the request may be stored or shown. Retryable: the same request can succeed once the database
 * answers. Stable code {@value #CODE}.
 */
public final class ConsentUnavailableException extends RuntimeException {

    public static final String CODE = "consent-unavailable";

    public ConsentUnavailableException(Throwable cause) {
        super("consent decisions are unavailable", cause);
    }
}
