package org.jkn.telemetry.normalizer;

/** Why a whole request body is not a batch (HTTP 400). Stable codes; never retryable as sent. */
public enum BatchError {
    MALFORMED_JSON("malformed-json"),
    NOT_A_BATCH("not-a-batch"),
    PATIENT_MISSING("patient-missing"),
    PATIENT_INVALID("patient-invalid"),
    DEVICE_MISSING("device-missing"),
    DEVICE_INVALID("device-invalid"),
    READINGS_MISSING("readings-missing"),
    TOO_MANY_READINGS("too-many-readings"),
    /** The batch names a patient other than the one its authenticated sender is registered for. */
    PATIENT_MISMATCH("patient-mismatch"),
    /** The batch names a device other than its authenticated sender. */
    DEVICE_MISMATCH("device-mismatch");

    private final String code;

    BatchError(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
