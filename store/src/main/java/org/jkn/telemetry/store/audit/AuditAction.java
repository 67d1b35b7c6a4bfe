package org.jkn.telemetry.store.audit;

/**
 * FHIR R4 AuditEvent.action (http://hl7.org/fhir/audit-event-action). Searches are {@link
 * #EXECUTE}, as the AuditEvent page's table of RESTful interactions has it.
 */
public enum AuditAction {
    CREATE('C'),
    READ('R'),
    UPDATE('U'),
    DELETE('D'),
    EXECUTE('E');

    private final char code;

    AuditAction(char code) {
        this.code = code;
    }

    public String code() {
        return String.valueOf(code);
    }

    /** The action for its one-letter code, or null. */
    public static AuditAction of(String code) {
        return switch (code) {
            case "C" -> CREATE;
            case "R" -> READ;
            case "U" -> UPDATE;
            case "D" -> DELETE;
            case "E" -> EXECUTE;
            default -> null;
        };
    }
}
