package org.jkn.telemetry.store.query;

/** FHIR date search prefixes this server supports (FHIR R4 §3.1.1.5.6 search on ranges). */
public enum DatePrefix {
    EQ,
    GT,
    GE,
    LT,
    LE;

    /** Prefix for its two-letter FHIR form, or null. */
    public static DatePrefix of(String s) {
        return switch (s) {
            case "eq" -> EQ;
            case "gt" -> GT;
            case "ge" -> GE;
            case "lt" -> LT;
            case "le" -> LE;
            default -> null;
        };
    }
}
