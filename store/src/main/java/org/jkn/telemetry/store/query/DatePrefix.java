package org.jkn.telemetry.store.query;

/**
 * FHIR search prefixes (R4 §3.1.1.4), for dates (on ranges: §3.1.1.5.6) and for quantities. {@code
 * ap} arrives as the range it approximates: the parser widens it.
 */
public enum DatePrefix {
    EQ,
    GT,
    GE,
    LT,
    LE,
    /** Not within the range. */
    NE,
    /** Starts after the range ends. */
    SA,
    /** Ends before the range starts. */
    EB,
    /** Overlaps the range, already widened to what "approximately" allows. */
    AP;

    /** Prefix for its two-letter FHIR form, or null. */
    public static DatePrefix of(String s) {
        return switch (s) {
            case "eq" -> EQ;
            case "gt" -> GT;
            case "ge" -> GE;
            case "lt" -> LT;
            case "le" -> LE;
            case "ne" -> NE;
            case "sa" -> SA;
            case "eb" -> EB;
            case "ap" -> AP;
            default -> null;
        };
    }
}
