package org.jkn.telemetry.normalizer.catalog;

import java.util.List;

/**
 * A categorical or context field of a reading (cervical mucus appearance, temperature location,
 * glucose specimen...): its wire field, its allowed values, and where the chosen value goes in the
 * Observation. A reading stores the chosen index + 1 in one byte per attribute (0 = absent).
 * Immutable.
 */
public final class Attribute {

    /** Where a chosen value is rendered. */
    public enum Placement {
        /** Observation.valueCodeableConcept. */
        VALUE,
        /** A component with {@link #componentCode()} and a valueCodeableConcept. */
        COMPONENT,
        /**
         * A component with {@link #componentCode()} and a valueBoolean (choices "true", "false").
         */
        COMPONENT_BOOLEAN,
        /** Observation.bodySite. */
        BODY_SITE,
        /** The R4 core extension observation-bodyPosition. */
        BODY_POSITION,
        /**
         * Not rendered itself: it selects the Observation code (glucose specimen and unit, HRV
         * method).
         */
        CODE_SELECTOR
    }

    public static final String BODY_POSITION_EXTENSION =
            "http://hl7.org/fhir/StructureDefinition/observation-bodyPosition";

    private final String wireField;
    private final Placement placement;
    private final Coding componentCode;
    private final List<Choice> choices;
    private final boolean required;

    public Attribute(
            String wireField,
            Placement placement,
            Coding componentCode,
            boolean required,
            List<Choice> choices) {
        if (choices.size() > 254) {
            throw new IllegalArgumentException("an attribute stores its choice in one byte");
        }
        this.wireField = wireField;
        this.placement = placement;
        this.componentCode = componentCode;
        this.required = required;
        this.choices = List.copyOf(choices);
    }

    /** Index of the choice with this wire name, or -1. Does not allocate. */
    public int indexOf(String wire) {
        for (int i = 0; i < choices.size(); i++) {
            if (choices.get(i).wire().equals(wire)) {
                return i;
            }
        }
        return -1;
    }

    public String wireField() {
        return wireField;
    }

    public Placement placement() {
        return placement;
    }

    public Coding componentCode() {
        return componentCode;
    }

    public boolean required() {
        return required;
    }

    public List<Choice> choices() {
        return choices;
    }

    /** Comma-separated wire names, for messages and documentation. */
    public String wireNames() {
        StringBuilder sb = new StringBuilder();
        for (Choice c : choices) {
            sb.append(sb.length() == 0 ? "" : ", ").append(c.wire());
        }
        return sb.toString();
    }
}
