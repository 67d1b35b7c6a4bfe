package org.jkn.telemetry.store.audit;

/**
 * The RESTful interaction audited (AuditEvent.subtype, http://hl7.org/fhir/restful-interaction),
 * with the AuditEvent.action it implies.
 */
public enum Interaction {
    READ("read", AuditAction.READ),
    SEARCH_TYPE("search-type", AuditAction.EXECUTE),
    CREATE("create", AuditAction.CREATE),
    UPDATE("update", AuditAction.UPDATE),
    DELETE("delete", AuditAction.DELETE),
    /**
     * An operation such as {@code $export}, Observation/{@code $lastn} or {@code $stats}: reads
     * health data; the query names which.
     */
    OPERATION("operation", AuditAction.EXECUTE);

    private final String code;
    private final AuditAction action;

    Interaction(String code, AuditAction action) {
        this.code = code;
        this.action = action;
    }

    public String code() {
        return code;
    }

    public AuditAction action() {
        return action;
    }

    /** The interaction for its code, or null. */
    public static Interaction of(String code) {
        return switch (code) {
            case "read" -> READ;
            case "search-type" -> SEARCH_TYPE;
            case "create" -> CREATE;
            case "update" -> UPDATE;
            case "delete" -> DELETE;
            case "operation" -> OPERATION;
            default -> null;
        };
    }
}
