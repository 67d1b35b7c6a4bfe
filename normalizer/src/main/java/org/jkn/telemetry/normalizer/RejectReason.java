package org.jkn.telemetry.normalizer;

/**
 * Why one reading of a batch was not accepted. The code is the stable, documented contract (clients
 * and tests match on it); the rest of the batch is unaffected. None is retryable as sent: the
 * reading itself must change, or for {@link #CONSENT_REQUIRED} the patient's consent.
 */
public enum RejectReason {
    NOT_AN_OBJECT("not-an-object"),
    MISSING_FIELD("missing-field"),
    WRONG_TYPE("wrong-type"),
    INVALID_ID("invalid-id"),
    DUPLICATE_IN_BATCH("duplicate-in-batch"),
    UNKNOWN_TYPE("unknown-type"),
    INVALID_TIME("invalid-time"),
    TIME_IN_FUTURE("time-in-future"),
    TIME_TOO_OLD("time-too-old"),
    END_BEFORE_START("end-before-start"),
    PERIOD_TOO_LONG("period-too-long"),
    UNIT_NOT_ACCEPTED("unit-not-accepted"),
    IMPLAUSIBLE_VALUE("implausible-value"),
    NOT_AN_INTEGER("not-an-integer"),
    INVALID_CHOICE("invalid-choice"),
    INVALID_STAGES("invalid-stages"),
    INVALID_SERIES("invalid-series"),
    /** The patient has no consent in force to the collection of the reading's data category. */
    CONSENT_REQUIRED("consent-required");

    private final String code;

    RejectReason(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
