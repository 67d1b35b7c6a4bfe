package org.jkn.telemetry.normalizer.catalog;

/**
 * The unit a glucose value was sent in. The value is kept and shown in it, never converted, because
 * the LOINC code differs between mass and moles (see {@link GlucoseSpecimen}).
 *
 * <p>Each unit has a stored code, the {@link Attributes#GLUCOSE_UNIT} choice (index + 1, 0 =
 * absent) written in the reading's packed attributes in journal records and sealed blocks: a code
 * never changes and is never reused, whatever the declaration order.
 */
public enum GlucoseUnit {
    /** Absent, or a spelling that is not a glucose unit. */
    NONE(0, null),
    MG_PER_DL(1, "mg/dL"),
    MMOL_PER_L(2, "mmol/L");

    private final int storedCode;
    private final String ucum;

    GlucoseUnit(int storedCode, String ucum) {
        this.storedCode = storedCode;
        this.ucum = ucum;
    }

    /**
     * The unit of a wire spelling (UCUM, or with a lower-case final letter), {@link #NONE} for any
     * other or null. Does not allocate.
     */
    public static GlucoseUnit ofSpelling(String spelling) {
        if (spelling == null) {
            return NONE;
        }
        return switch (spelling) {
            case "mg/dL", "mg/dl" -> MG_PER_DL;
            case "mmol/L", "mmol/l" -> MMOL_PER_L;
            default -> NONE;
        };
    }

    /** The unit stored under this code; {@link #NONE} for 0 and for a code no unit has. */
    public static GlucoseUnit ofStoredCode(int code) {
        return switch (code) {
            case 1 -> MG_PER_DL;
            case 2 -> MMOL_PER_L;
            default -> NONE;
        };
    }

    /** The number this unit is stored as (0-255). */
    public int storedCode() {
        return storedCode;
    }

    /** The UCUM code, null for {@link #NONE}. */
    public String ucum() {
        return ucum;
    }
}
