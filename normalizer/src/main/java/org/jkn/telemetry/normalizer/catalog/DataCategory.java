package org.jkn.telemetry.normalizer.catalog;

/**
 * The data categories consent is given for, one per reading-type group of DESIGN.md. Their codes
 * form the project's CodeSystem {@value #SYSTEM}, which Consent provisions name in {@code
 * provision.code}.
 *
 * <p>{@link #bit()} is the category's place in the bit sets consent decisions are compiled to; it
 * follows declaration order, so append new categories at the end. {@link #CYCLE} (cycle and
 * sexual-activity data) is never covered by a default or a code-less permit.
 */
public enum DataCategory {
    ACTIVITY("activity", "Activity"),
    BODY("body", "Body measurements"),
    CYCLE("cycle", "Cycle tracking and sexual activity"),
    SLEEP("sleep", "Sleep"),
    VITALS("vitals", "Vital signs");

    public static final String SYSTEM = "https://telemetry.example/fhir/CodeSystem/data-category";

    /** Every category. */
    public static final int ALL = (1 << values().length) - 1;

    /** What a permit without codes covers: everything but cycle. */
    public static final int ALL_BUT_CYCLE = ALL & ~CYCLE.bit();

    private final String code;
    private final String display;

    DataCategory(String code, String display) {
        this.code = code;
        this.display = display;
    }

    public String code() {
        return code;
    }

    public String display() {
        return display;
    }

    @SuppressWarnings("EnumOrdinal") // in-memory bit sets only, never stored
    public int bit() {
        return 1 << ordinal();
    }

    /** The category for its code, or null; allocation-free. */
    public static DataCategory ofCode(String code) {
        if (code == null) {
            return null;
        }
        return switch (code) {
            case "activity" -> ACTIVITY;
            case "body" -> BODY;
            case "cycle" -> CYCLE;
            case "sleep" -> SLEEP;
            case "vitals" -> VITALS;
            default -> null;
        };
    }
}
