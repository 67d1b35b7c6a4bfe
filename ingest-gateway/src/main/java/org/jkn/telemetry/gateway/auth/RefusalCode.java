package org.jkn.telemetry.gateway.auth;

/**
 * Why an HTTP request was refused. The code is the stable contract: it is the {@code
 * error_description} of the {@code WWW-Authenticate} challenge, the {@code error.code} of a JSON
 * error, the {@code reason} of {@code telemetry_auth_refused_total} and the outcome reason of the
 * AuditEvent that records a refused look at a patient's data. Clients, operators and tests match on
 * it, so the text never changes.
 *
 * <p>Why a token itself was refused is a {@link TokenError}; why a reading or a batch was refused
 * at ingest is the normalizer's {@code RejectReason} or {@code BatchError}.
 */
public enum RefusalCode {
    /** 401: no bearer token was sent. */
    TOKEN_MISSING("token-missing"),
    /** 401: the bearer token was refused; its {@link TokenError} says why. */
    INVALID_TOKEN("invalid-token"),
    /** 503: every token verification slot is taken; retrying shortly helps. */
    AUTH_BUSY("auth-busy"),
    /** 403: a valid token that does not grant what the request needs. */
    INSUFFICIENT_SCOPE("insufficient-scope"),
    /**
     * 403 for a patient token naming another patient; a read by id answers 404 instead, so that ids
     * cannot be probed, and records this code.
     */
    PATIENT_MISMATCH("patient-mismatch"),
    /** 403: no consent of the patient discloses this data to the caller. */
    CONSENT_REQUIRED("consent-required"),
    /** 403: only the patient itself or an administrator may erase a patient. */
    ERASURE_NOT_ALLOWED("erasure-not-allowed"),
    /** Recorded for a 401 whose handler gave no code of its own. */
    TOKEN_REFUSED("token-refused"),
    /** Recorded for a 403 whose handler gave no code of its own. */
    ACCESS_REFUSED("access-refused");

    private final String code;

    RefusalCode(String code) {
        this.code = code;
    }

    /** The wire text. */
    public String code() {
        return code;
    }
}
