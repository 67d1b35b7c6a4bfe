package org.jkn.telemetry.store.crypto;

/**
 * A sealed value or key that cannot be used. Carries a stable {@link #code()} for callers,
 * operators and metrics, and never an identifier or a value in its message. Retrying cannot help
 * except for {@code keys-unavailable} (the database was unreachable).
 */
public final class CryptoFailure extends RuntimeException {

    /**
     * A ciphertext failed authentication: tampered, moved to another row or patient, or truncated.
     */
    public static final String DECRYPTION_FAILED = "decryption-failed";

    /** A wrapped data key failed authentication under its KEK. */
    public static final String KEY_UNWRAP_FAILED = "key-unwrap-failed";

    /** A data key names a KEK that is not configured (removed before rotation finished). */
    public static final String KEK_UNKNOWN = "kek-unknown";

    /** The data key of a reading was destroyed (the patient was erased) or never existed. */
    public static final String KEY_DESTROYED = "key-destroyed";

    /** The data key could not be read or created because the database did not answer. */
    public static final String KEYS_UNAVAILABLE = "keys-unavailable";

    private final String code;

    public CryptoFailure(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public CryptoFailure(String code, String message, Throwable cause) {
        super(message, cause, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }

    public boolean isRetryable() {
        return KEYS_UNAVAILABLE.equals(code);
    }
}
