package org.jkn.telemetry.normalizer.catalog;

/**
 * FHIR Observation category of a reading type, from the R4 value set {@code
 * http://terminology.hl7.org/CodeSystem/observation-category}.
 *
 * <p>{@code vital-signs} is set only on codes that the R4 vital-signs profiles list: claiming the
 * category pulls the profile in.
 */
public enum Category {
    VITAL_SIGNS("vital-signs", "Vital Signs"),
    ACTIVITY("activity", "Activity"),
    EXAM("exam", "Exam"),
    SOCIAL_HISTORY("social-history", "Social History"),
    LABORATORY("laboratory", "Laboratory");

    public static final String SYSTEM =
            "http://terminology.hl7.org/CodeSystem/observation-category";

    private final String code;
    private final String display;

    Category(String code, String display) {
        this.code = code;
        this.display = display;
    }

    public String code() {
        return code;
    }

    public String display() {
        return display;
    }
}
