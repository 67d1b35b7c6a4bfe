package org.jkn.telemetry.normalizer.catalog;

import static org.jkn.telemetry.normalizer.catalog.Coding.local;
import static org.jkn.telemetry.normalizer.catalog.Coding.observationType;
import static org.jkn.telemetry.normalizer.catalog.Coding.snomed;

import java.util.List;
import org.jkn.telemetry.normalizer.catalog.Attribute.Placement;

/**
 * The categorical and context fields of the catalogue, with Health Connect's enum names in lower
 * case on the wire and the codings they map to (docs/reading-types.md gives the source of each).
 * Where no LOINC or SNOMED CT concept fits, a code of the project's own CodeSystem is used.
 */
public final class Attributes {

    private Attributes() {}

    private static Choice c(String wire, Coding coding) {
        return new Choice(wire, coding);
    }

    public static final Attribute CERVICAL_MUCUS_APPEARANCE =
            new Attribute(
                    "appearance",
                    Placement.COMPONENT,
                    observationType("cervical-mucus-appearance", "Cervical mucus appearance"),
                    false,
                    List.of(
                            c("dry", local("cervical-mucus-appearance", "dry", "Dry")),
                            c("sticky", local("cervical-mucus-appearance", "sticky", "Sticky")),
                            c("creamy", local("cervical-mucus-appearance", "creamy", "Creamy")),
                            c("watery", local("cervical-mucus-appearance", "watery", "Watery")),
                            c(
                                    "egg_white",
                                    local(
                                            "cervical-mucus-appearance",
                                            "egg-white",
                                            "Egg white (clear, stretchy)")),
                            c(
                                    "unusual",
                                    local("cervical-mucus-appearance", "unusual", "Unusual"))));

    public static final Attribute CERVICAL_MUCUS_SENSATION =
            new Attribute(
                    "sensation",
                    Placement.COMPONENT,
                    observationType("cervical-mucus-sensation", "Cervical mucus sensation"),
                    false,
                    List.of(
                            c("light", local("cervical-mucus-sensation", "light", "Light")),
                            c("medium", local("cervical-mucus-sensation", "medium", "Medium")),
                            c("heavy", local("cervical-mucus-sensation", "heavy", "Heavy"))));

    public static final Attribute CERVIX_POSITION =
            new Attribute(
                    "position",
                    Placement.COMPONENT,
                    observationType("cervical-position-height", "Cervix position (height)"),
                    false,
                    List.of(
                            c("low", local("cervical-position-height", "low", "Low")),
                            c("medium", local("cervical-position-height", "medium", "Medium")),
                            c("high", local("cervical-position-height", "high", "High"))));

    public static final Attribute CERVIX_OPENNESS =
            new Attribute(
                    "openness",
                    Placement.COMPONENT,
                    observationType("cervical-position-openness", "Cervix openness"),
                    false,
                    List.of(
                            c("closed", local("cervical-openness", "closed", "Closed")),
                            c("medium", local("cervical-openness", "medium", "Medium")),
                            c("open", local("cervical-openness", "open", "Open"))));

    public static final Attribute CERVIX_FIRMNESS =
            new Attribute(
                    "firmness",
                    Placement.COMPONENT,
                    observationType("cervical-position-firmness", "Cervix firmness"),
                    false,
                    List.of(
                            c("soft", local("cervical-firmness", "soft", "Soft")),
                            c("medium", local("cervical-firmness", "medium", "Medium")),
                            c("firm", local("cervical-firmness", "firm", "Firm"))));

    public static final Attribute MENSTRUATION_FLOW =
            new Attribute(
                    "flow",
                    Placement.VALUE,
                    null,
                    true,
                    List.of(
                            c("light", local("menstruation-flow", "light", "Light")),
                            c("medium", local("menstruation-flow", "medium", "Medium")),
                            c("heavy", local("menstruation-flow", "heavy", "Heavy"))));

    public static final Attribute OVULATION_RESULT =
            new Attribute(
                    "result",
                    Placement.VALUE,
                    null,
                    true,
                    List.of(
                            c(
                                    "positive",
                                    local(
                                            "ovulation-test-result",
                                            "positive",
                                            "Positive (LH surge)")),
                            c(
                                    "high",
                                    local("ovulation-test-result", "high", "High (estrogen rise)")),
                            c("negative", local("ovulation-test-result", "negative", "Negative")),
                            c(
                                    "inconclusive",
                                    local(
                                            "ovulation-test-result",
                                            "inconclusive",
                                            "Inconclusive"))));

    public static final Attribute PROTECTION_USED =
            new Attribute(
                    "protection_used",
                    Placement.COMPONENT_BOOLEAN,
                    observationType("protection-used", "Protection used"),
                    false,
                    List.of(c("true", null), c("false", null)));

    /** Glucose specimen: selects the LOINC code (the System axis), never converted. */
    public static final Attribute GLUCOSE_SPECIMEN =
            new Attribute(
                    "specimen",
                    Placement.CODE_SELECTOR,
                    null,
                    false,
                    List.of(
                            c("capillary_blood", null),
                            c("interstitial_fluid", null),
                            c("plasma", null),
                            c("serum", null),
                            c("whole_blood", null)));

    public static final Attribute GLUCOSE_MEAL =
            new Attribute(
                    "relation_to_meal",
                    Placement.COMPONENT,
                    observationType("glucose-relation-to-meal", "Relation to meal"),
                    false,
                    List.of(
                            c(
                                    "general",
                                    local(
                                            "glucose-relation-to-meal",
                                            "general",
                                            "General (no meal relation)")),
                            c("fasting", local("glucose-relation-to-meal", "fasting", "Fasting")),
                            c(
                                    "before_meal",
                                    local(
                                            "glucose-relation-to-meal",
                                            "before-meal",
                                            "Before meal")),
                            c(
                                    "after_meal",
                                    local(
                                            "glucose-relation-to-meal",
                                            "after-meal",
                                            "After meal"))));

    /**
     * Glucose unit as sent: the value is stored and shown in it, and it selects the LOINC code
     * (mass or moles).
     */
    public static final Attribute GLUCOSE_UNIT =
            new Attribute(
                    "unit",
                    Placement.CODE_SELECTOR,
                    null,
                    false,
                    List.of(c("mg/dL", null), c("mmol/L", null)));

    public static final Attribute TEMPERATURE_LOCATION =
            new Attribute(
                    "location",
                    Placement.BODY_SITE,
                    null,
                    false,
                    List.of(
                            c("armpit", snomed("422543003", "Structure of axillary fossa")),
                            c("finger", snomed("7569003", "Finger structure")),
                            c("forehead", snomed("52795006", "Forehead structure")),
                            c("mouth", snomed("74262004", "Oral cavity structure")),
                            c("rectum", snomed("34402009", "Rectum structure")),
                            c("temporal_artery", new Coding(null, null, "Temporal artery")),
                            c("toe", snomed("29707007", "Toe structure")),
                            c("ear", snomed("117590005", "Ear structure")),
                            c("wrist", new Coding(null, null, "Wrist")),
                            c("vagina", new Coding(null, null, "Vagina"))));

    public static final Attribute BP_BODY_POSITION =
            new Attribute(
                    "body_position",
                    Placement.BODY_POSITION,
                    null,
                    false,
                    List.of(
                            c("standing_up", snomed("10904000", "Orthostatic body position")),
                            c("sitting_down", snomed("33586001", "Sitting position")),
                            c("lying_down", snomed("102538003", "Recumbent body position")),
                            c("reclining", local("body-position", "reclining", "Reclining"))));

    public static final Attribute BP_LOCATION =
            new Attribute(
                    "location",
                    Placement.BODY_SITE,
                    null,
                    false,
                    List.of(
                            c("left_wrist", snomed("5951000", "Structure of left wrist region")),
                            c("right_wrist", new Coding(null, null, "Right wrist")),
                            c("left_upper_arm", snomed("368208006", "Left upper arm structure")),
                            c(
                                    "right_upper_arm",
                                    snomed("368209003", "Right upper arm structure"))));

    /**
     * HRV statistic: selects the code (RMSSD has no LOINC code; SDNN is 80404-7). RMSSD when
     * absent.
     */
    public static final Attribute HRV_METHOD =
            new Attribute(
                    "method",
                    Placement.CODE_SELECTOR,
                    null,
                    false,
                    List.of(c("rmssd", null), c("sdnn", null)));
}
