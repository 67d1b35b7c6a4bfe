package org.jkn.telemetry.gateway.auth;

/**
 * Where verification keys come from: a JWKS file or the development key (fixed for the process), or
 * a JWKS URL (refreshed). {@link #find} is called per request on the event loop and must not block;
 * {@link #refresh} may block (I/O) and runs on a worker thread.
 */
public interface KeySource {

    /** The key with this id, or null. Never blocks. */
    Jwks.Key find(String kid);

    /**
     * Fetches the keys again if this source can and has not done so too recently. Returns true when
     * it fetched them, false when it did not try (rate-limited); throws when the fetch failed (the
     * keys held before stay in use). Blocking.
     */
    default boolean refresh() throws java.io.IOException {
        return false;
    }

    /** True when {@link #refresh} could fetch now (not rate-limited); cheap. */
    default boolean canRefresh() {
        return false;
    }

    /** A source of fixed keys. */
    static KeySource of(Jwks keys) {
        return keys::find;
    }
}
