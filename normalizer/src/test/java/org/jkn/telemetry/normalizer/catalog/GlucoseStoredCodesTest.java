package org.jkn.telemetry.normalizer.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Journal records and sealed blocks hold a glucose reading's unit and specimen as numbers in its
 * packed attributes: changing one would misread stored data.
 */
class GlucoseStoredCodesTest {

    @Test
    void unitStoredCodesNeverChange() {
        Map<GlucoseUnit, Integer> written =
                Map.of(
                        GlucoseUnit.NONE, 0,
                        GlucoseUnit.MG_PER_DL, 1,
                        GlucoseUnit.MMOL_PER_L, 2);
        assertEquals(
                GlucoseUnit.values().length,
                written.size(),
                "a new unit needs a new, unused code here");
        written.forEach(
                (unit, code) -> {
                    assertEquals(code, unit.storedCode(), unit.name());
                    assertSame(unit, GlucoseUnit.ofStoredCode(code));
                });
    }

    @Test
    void specimenStoredCodesNeverChange() {
        Map<GlucoseSpecimen, Integer> written =
                Map.of(
                        GlucoseSpecimen.NONE, 0,
                        GlucoseSpecimen.CAPILLARY_BLOOD, 1,
                        GlucoseSpecimen.INTERSTITIAL_FLUID, 2,
                        GlucoseSpecimen.PLASMA, 3,
                        GlucoseSpecimen.SERUM, 4,
                        GlucoseSpecimen.WHOLE_BLOOD, 5);
        assertEquals(
                GlucoseSpecimen.values().length,
                written.size(),
                "a new specimen needs a new, unused code here");
        written.forEach(
                (specimen, code) -> {
                    assertEquals(code, specimen.storedCode(), specimen.name());
                    assertSame(specimen, GlucoseSpecimen.ofStoredCode(code));
                });
    }

    /** A stored code is the choice's index + 1 in its attribute: the two must name one thing. */
    @Test
    void storedCodesAreTheAttributeChoices() {
        Map<GlucoseSpecimen, String> wire =
                Map.of(
                        GlucoseSpecimen.CAPILLARY_BLOOD, "capillary_blood",
                        GlucoseSpecimen.INTERSTITIAL_FLUID, "interstitial_fluid",
                        GlucoseSpecimen.PLASMA, "plasma",
                        GlucoseSpecimen.SERUM, "serum",
                        GlucoseSpecimen.WHOLE_BLOOD, "whole_blood");
        assertEquals(wire.size(), Attributes.GLUCOSE_SPECIMEN.choices().size());
        wire.forEach(
                (specimen, name) ->
                        assertEquals(
                                specimen.storedCode(),
                                Attributes.GLUCOSE_SPECIMEN.indexOf(name) + 1,
                                name));
        assertEquals(2, Attributes.GLUCOSE_UNIT.choices().size());
        for (GlucoseUnit unit : new GlucoseUnit[] {GlucoseUnit.MG_PER_DL, GlucoseUnit.MMOL_PER_L}) {
            assertEquals(
                    unit.storedCode(),
                    Attributes.GLUCOSE_UNIT.indexOf(unit.ucum()) + 1,
                    unit.name());
        }
        assertSame(
                Attributes.GLUCOSE_SPECIMEN,
                ReadingType.BLOOD_GLUCOSE.attributes().get(ReadingType.GLUCOSE_SPECIMEN_SLOT));
        assertSame(
                Attributes.GLUCOSE_UNIT,
                ReadingType.BLOOD_GLUCOSE.attributes().get(ReadingType.GLUCOSE_UNIT_SLOT));
    }

    @Test
    void packedAttributesSelectTheCodeAndUnit() {
        int capillaryMmol = 1 | 2 << 16;
        assertEquals("14743-9", ReadingType.BLOOD_GLUCOSE.storedCode(capillaryMmol));
        assertEquals("mmol/L", ReadingType.BLOOD_GLUCOSE.ucum(capillaryMmol));
        int wholeBloodMg = 5 | 1 << 16;
        assertEquals("2339-0", ReadingType.BLOOD_GLUCOSE.storedCode(wholeBloodMg));
        assertEquals("mg/dL", ReadingType.BLOOD_GLUCOSE.ucum(wholeBloodMg));
    }

    @Test
    void unitSpellingsAreUcumOrLowerCaseLast() {
        assertSame(GlucoseUnit.MG_PER_DL, GlucoseUnit.ofSpelling("mg/dL"));
        assertSame(GlucoseUnit.MG_PER_DL, GlucoseUnit.ofSpelling("mg/dl"));
        assertSame(GlucoseUnit.MMOL_PER_L, GlucoseUnit.ofSpelling("mmol/L"));
        assertSame(GlucoseUnit.MMOL_PER_L, GlucoseUnit.ofSpelling("mmol/l"));
        assertSame(GlucoseUnit.NONE, GlucoseUnit.ofSpelling("MG/DL"));
        assertSame(GlucoseUnit.NONE, GlucoseUnit.ofSpelling(null));
    }

    @Test
    void aCodeNoSpecimenHasReadsAsNothing() {
        assertNull(GlucoseSpecimen.ofStoredCode(6));
        assertNull(GlucoseSpecimen.ofStoredCode(255));
    }
}
