package org.jkn.telemetry.store.audit;

/** FHIR R4 AuditEvent.outcome (http://hl7.org/fhir/audit-event-outcome). */
public enum AuditOutcome {
    /** The interaction succeeded (HTTP 2xx, a 404 that disclosed nothing included). */
    SUCCESS(0),
    /** Refused: no or a bad token, a scope or consent that does not allow it (HTTP 401/403). */
    MINOR_FAILURE(4),
    /** The server could not complete it (HTTP 5xx). */
    SERIOUS_FAILURE(8),
    MAJOR_FAILURE(12);

    private final int code;

    AuditOutcome(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The outcome for its numeric code, or null. */
    public static AuditOutcome of(int code) {
        return switch (code) {
            case 0 -> SUCCESS;
            case 4 -> MINOR_FAILURE;
            case 8 -> SERIOUS_FAILURE;
            case 12 -> MAJOR_FAILURE;
            default -> null;
        };
    }
}
