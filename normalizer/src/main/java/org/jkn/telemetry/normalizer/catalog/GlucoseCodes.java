package org.jkn.telemetry.normalizer.catalog;

import static org.jkn.telemetry.normalizer.catalog.Coding.loinc;

/**
 * LOINC glucose codes by specimen and unit. The LOINC code changes with both (mass vs moles,
 * capillary vs interstitial vs serum/plasma vs blood), so the value is never converted between
 * units; a reading without a specimen gets a code of its own rather than a guessed one.
 */
final class GlucoseCodes {

    private GlucoseCodes() {}

    private static final Coding[][] CODES = {
        // {mg/dL, mmol/L}, by specimen choice (index + 1; 0 = not given)
        {
            Coding.observationType(
                    "glucose-unspecified-specimen", "Glucose, specimen not specified"),
            Coding.observationType(
                    "glucose-unspecified-specimen", "Glucose, specimen not specified")
        },
        {
            loinc("41653-7", "Glucose [Mass/volume] in Capillary blood by Glucometer"),
            loinc("14743-9", "Glucose [Moles/volume] in Capillary blood by Glucometer")
        },
        {
            loinc("99504-3", "Glucose [Mass/volume] in Interstitial fluid"),
            loinc("105272-9", "Glucose [Moles/volume] in Interstitial fluid")
        },
        {
            loinc("2345-7", "Glucose [Mass/volume] in Serum or Plasma"),
            loinc("14749-6", "Glucose [Moles/volume] in Serum or Plasma")
        },
        {
            loinc("2345-7", "Glucose [Mass/volume] in Serum or Plasma"),
            loinc("14749-6", "Glucose [Moles/volume] in Serum or Plasma")
        },
        {
            loinc("2339-0", "Glucose [Mass/volume] in Blood"),
            loinc("15074-8", "Glucose [Moles/volume] in Blood")
        },
    };

    /**
     * The coding for a stored specimen choice (0 = none) and unit choice (1 = mg/dL, 2 = mmol/L).
     */
    static Coding of(int specimen, int unit) {
        return CODES[specimen][unit == 2 ? 1 : 0];
    }
}
