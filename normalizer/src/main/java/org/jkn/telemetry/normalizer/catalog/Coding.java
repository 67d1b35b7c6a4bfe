package org.jkn.telemetry.normalizer.catalog;

/** A code from a code system, as FHIR's Coding. */
public record Coding(String system, String code, String display) {

    public static final String LOINC = "http://loinc.org";
}
