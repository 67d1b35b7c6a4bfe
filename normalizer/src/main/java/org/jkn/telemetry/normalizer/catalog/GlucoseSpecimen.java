package org.jkn.telemetry.normalizer.catalog;

import static org.jkn.telemetry.normalizer.catalog.Coding.loinc;
import static org.jkn.telemetry.normalizer.catalog.Coding.observationType;

/**
 * The specimen of a glucose reading, with its LOINC codes by unit. The LOINC code changes with both
 * (mass vs moles, capillary vs interstitial vs serum/plasma vs blood), so the value is never
 * converted between units; a reading without a specimen gets a code of its own rather than a
 * guessed one.
 *
 * <p>Each specimen has a stored code, the {@link Attributes#GLUCOSE_SPECIMEN} choice (index + 1, 0
 * = absent) written in the reading's packed attributes in journal records and sealed blocks: a code
 * never changes and is never reused, whatever the declaration order.
 */
public enum GlucoseSpecimen {
    NONE(
            0,
            observationType("glucose-unspecified-specimen", "Glucose, specimen not specified"),
            observationType("glucose-unspecified-specimen", "Glucose, specimen not specified")),
    CAPILLARY_BLOOD(
            1,
            loinc("41653-7", "Glucose [Mass/volume] in Capillary blood by Glucometer"),
            loinc("14743-9", "Glucose [Moles/volume] in Capillary blood by Glucometer")),
    INTERSTITIAL_FLUID(
            2,
            loinc("99504-3", "Glucose [Mass/volume] in Interstitial fluid"),
            loinc("105272-9", "Glucose [Moles/volume] in Interstitial fluid")),
    PLASMA(
            3,
            loinc("2345-7", "Glucose [Mass/volume] in Serum or Plasma"),
            loinc("14749-6", "Glucose [Moles/volume] in Serum or Plasma")),
    SERUM(
            4,
            loinc("2345-7", "Glucose [Mass/volume] in Serum or Plasma"),
            loinc("14749-6", "Glucose [Moles/volume] in Serum or Plasma")),
    WHOLE_BLOOD(
            5,
            loinc("2339-0", "Glucose [Mass/volume] in Blood"),
            loinc("15074-8", "Glucose [Moles/volume] in Blood"));

    private static final GlucoseSpecimen[] VALUES = values();

    private final int storedCode;
    private final Coding massCoding;
    private final Coding molesCoding;

    GlucoseSpecimen(int storedCode, Coding massCoding, Coding molesCoding) {
        this.storedCode = storedCode;
        this.massCoding = massCoding;
        this.molesCoding = molesCoding;
    }

    /** The specimen stored under this code, or null for a code no specimen has. */
    public static GlucoseSpecimen ofStoredCode(int code) {
        for (GlucoseSpecimen s : VALUES) {
            if (s.storedCode == code) {
                return s;
            }
        }
        return null;
    }

    /** The number this specimen is stored as (0-255). */
    public int storedCode() {
        return storedCode;
    }

    /**
     * The Observation.code of a value of this specimen in this unit; mass (mg/dL) unless the unit
     * is mmol/L.
     */
    public Coding coding(GlucoseUnit unit) {
        return unit == GlucoseUnit.MMOL_PER_L ? molesCoding : massCoding;
    }
}
