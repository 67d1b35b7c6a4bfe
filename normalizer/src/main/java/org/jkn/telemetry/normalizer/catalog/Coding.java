package org.jkn.telemetry.normalizer.catalog;

/** A code from a code system, as FHIR's Coding. */
public record Coding(String system, String code, String display) {

    public static final String LOINC = "http://loinc.org";
    public static final String SNOMED = "http://snomed.info/sct";

    /**
     * Base of this project's own CodeSystems, used only where no LOINC or SNOMED CT concept fits
     * (docs/reading-types.md says why for each). Every code under it is listed in that document.
     */
    public static final String LOCAL = "https://telemetry.example/fhir/CodeSystem/";

    public static Coding loinc(String code, String display) {
        return new Coding(LOINC, code, display);
    }

    public static Coding snomed(String code, String display) {
        return new Coding(SNOMED, code, display);
    }

    /** A code of the project's CodeSystem {@code name}. */
    public static Coding local(String name, String code, String display) {
        return new Coding(LOCAL + name, code, display);
    }

    /**
     * A code of the project's {@code observation-type} CodeSystem (Observation and component
     * codes).
     */
    public static Coding observationType(String code, String display) {
        return local("observation-type", code, display);
    }
}
