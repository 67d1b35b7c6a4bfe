package org.jkn.telemetry.gateway.fhir;

import java.util.Map;
import java.util.Set;

/**
 * The top-level Observation elements a response carries: all of them, or those {@code _elements}
 * names. As FHIR says for {@code _elements}, id, meta and the mandatory elements (status, code) are
 * always there, and a subset is tagged SUBSETTED. Immutable.
 */
final class ObservationElements {

    static final int EXTENSION = 1;
    static final int IDENTIFIER = 1 << 1;
    static final int CATEGORY = 1 << 2;
    static final int SUBJECT = 1 << 3;
    static final int EFFECTIVE = 1 << 4;
    static final int ISSUED = 1 << 5;
    static final int VALUE = 1 << 6;
    static final int BODY_SITE = 1 << 7;
    static final int DEVICE = 1 << 8;
    static final int COMPONENT = 1 << 9;
    private static final int EVERY = (1 << 10) - 1;

    static final ObservationElements ALL = new ObservationElements(EVERY);

    /** What each name selects; elements this service never writes select nothing. */
    private static final Map<String, Integer> BY_NAME =
            Map.ofEntries(
                    Map.entry("extension", EXTENSION),
                    Map.entry("identifier", IDENTIFIER),
                    Map.entry("category", CATEGORY),
                    Map.entry("subject", SUBJECT),
                    Map.entry("effective", EFFECTIVE),
                    Map.entry("issued", ISSUED),
                    Map.entry("value", VALUE),
                    Map.entry("bodySite", BODY_SITE),
                    Map.entry("device", DEVICE),
                    Map.entry("component", COMPONENT));

    /** R4 Observation's other elements: valid to ask for, never present here. */
    private static final Set<String> ALWAYS_OR_ABSENT =
            Set.of(
                    "id",
                    "meta",
                    "implicitRules",
                    "language",
                    "text",
                    "contained",
                    "modifierExtension",
                    "basedOn",
                    "partOf",
                    "status",
                    "code",
                    "focus",
                    "encounter",
                    "performer",
                    "dataAbsentReason",
                    "interpretation",
                    "note",
                    "method",
                    "specimen",
                    "referenceRange",
                    "hasMember",
                    "derivedFrom");

    private final int mask;

    private ObservationElements(int mask) {
        this.mask = mask;
    }

    /** What {@code _summary} keeps (not {@code count}, which is no resource), or null. */
    static ObservationElements summary(String value) {
        return switch (value) {
            case "false", "data" -> ALL;
            // R4 Observation's summary elements that this service writes
            case "true" ->
                    new ObservationElements(
                            IDENTIFIER | CATEGORY | SUBJECT | EFFECTIVE | ISSUED | VALUE);
            case "text" -> new ObservationElements(0);
            default -> null;
        };
    }

    /**
     * The elements of a comma-separated {@code _elements} list (each optionally prefixed {@code
     * Observation.}), or null when one is not an element of R4 Observation.
     */
    static ObservationElements parse(String list) {
        int mask = 0;
        for (String raw : list.split(",", -1)) {
            String name = raw.strip();
            if (name.startsWith("Observation.")) {
                name = name.substring("Observation.".length());
            }
            Integer bit = BY_NAME.get(name);
            if (bit != null) {
                mask |= bit;
            } else if (!ALWAYS_OR_ABSENT.contains(name)) {
                return null;
            }
        }
        return new ObservationElements(mask);
    }

    boolean has(int element) {
        return (mask & element) != 0;
    }

    /** True when some element is left out, so the resource must say it is incomplete. */
    boolean subsetted() {
        return mask != EVERY;
    }
}
