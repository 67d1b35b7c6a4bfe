package org.jkn.telemetry.normalizer.catalog;

import java.util.List;
import java.util.Map;
import java.util.HashMap;

/**
 * The catalogue of reading types: wire name, standard code, FHIR category and profile, canonical
 * UCUM unit, accepted input units and the plausible range of the canonical value.
 *
 * <p>Codes and ranges come from the R4 vital-signs profiles (https://hl7.org/fhir/R4/observation-vitalsigns.html)
 * and Android Health Connect's documented valid ranges; see docs/reading-types.md for each source.
 * {@link #id()} is stored in the journal and must never change for an existing type.
 *
 * <p>Immutable and thread-safe.
 */
public enum ReadingType {
    HEART_RATE(1, "heart_rate", Shape.INSTANT_QUANTITY, Category.VITAL_SIGNS,
            "8867-4", "Heart rate", List.of(), "heartrate",
            "/min", "beats/minute", 1, 300, false,
            List.of(Unit.same("/min"), Unit.same("bpm"), Unit.same("{beats}/min"), Unit.same("beats/min"))),
    STEPS(2, "steps", Shape.PERIOD_QUANTITY, Category.ACTIVITY,
            "55423-8", "Number of steps in unspecified time Pedometer", List.of(), null,
            "{steps}", "steps", 0, 1_000_000, true,
            List.of(Unit.same("{steps}"), Unit.same("steps"), Unit.same("1"))),
    BLOOD_PRESSURE(3, "blood_pressure", Shape.BLOOD_PRESSURE, Category.VITAL_SIGNS,
            "85354-9", "Blood pressure panel with all children optional", List.of(), "bp",
            "mm[Hg]", "mmHg", 20, 200, false,
            List.of(Unit.same("mm[Hg]"), Unit.same("mmHg"), new Unit("kPa", 7.500615758))),
    OXYGEN_SATURATION(4, "oxygen_saturation", Shape.INSTANT_QUANTITY, Category.VITAL_SIGNS,
            "2708-6", "Oxygen saturation in Arterial blood",
            List.of(new Coding(Coding.LOINC, "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry")),
            "oxygensat",
            "%", "%", 0, 100, false,
            List.of(Unit.same("%")));

    /** Blood pressure components (R4 bp profile), with Health Connect's ranges. */
    public static final Coding SYSTOLIC = new Coding(Coding.LOINC, "8480-6", "Systolic blood pressure");
    public static final Coding DIASTOLIC = new Coding(Coding.LOINC, "8462-4", "Diastolic blood pressure");
    public static final double DIASTOLIC_MIN = 10;
    public static final double DIASTOLIC_MAX = 180;

    private static final Map<String, ReadingType> BY_WIRE_NAME = new HashMap<>();
    private static final ReadingType[] BY_ID = new ReadingType[16];
    private static final Map<String, ReadingType> BY_CODE = new HashMap<>();

    static {
        for (ReadingType t : values()) {
            BY_WIRE_NAME.put(t.wireName, t);
            BY_ID[t.id] = t;
            BY_CODE.put(t.code.code(), t);
        }
    }

    private final int id;
    private final String wireName;
    private final Shape shape;
    private final Category category;
    private final Coding code;
    private final List<Coding> extraCodings;
    private final String profile;
    private final String ucum;
    private final String unitDisplay;
    private final double min;
    private final double max;
    private final boolean integer;
    private final List<Unit> units;

    ReadingType(int id, String wireName, Shape shape, Category category, String loinc, String display,
                List<Coding> extraCodings, String profile, String ucum, String unitDisplay,
                double min, double max, boolean integer, List<Unit> units) {
        this.id = id;
        this.wireName = wireName;
        this.shape = shape;
        this.category = category;
        this.code = new Coding(Coding.LOINC, loinc, display);
        this.extraCodings = extraCodings;
        this.profile = profile == null ? null : "http://hl7.org/fhir/StructureDefinition/" + profile;
        this.ucum = ucum;
        this.unitDisplay = unitDisplay;
        this.min = min;
        this.max = max;
        this.integer = integer;
        this.units = units;
    }

    /** Type for a wire name, or null. Does not allocate. */
    public static ReadingType ofWireName(String name) {
        return BY_WIRE_NAME.get(name);
    }

    /** Type for its stable journal id, or null. */
    public static ReadingType ofId(int id) {
        return id > 0 && id < BY_ID.length ? BY_ID[id] : null;
    }

    /** Type whose primary code is this LOINC code, or null. */
    public static ReadingType ofCode(String code) {
        return BY_CODE.get(code);
    }

    /**
     * Factor converting an input unit to the canonical one, or NaN when the unit is not accepted.
     * A missing unit means the canonical unit.
     */
    public double unitFactor(String spelling) {
        if (spelling == null) {
            return 1.0;
        }
        for (int i = 0; i < units.size(); i++) {
            Unit u = units.get(i);
            if (u.spelling().equals(spelling)) {
                return u.factor();
            }
        }
        return Double.NaN;
    }

    public int id() {
        return id;
    }

    public String wireName() {
        return wireName;
    }

    public Shape shape() {
        return shape;
    }

    public Category category() {
        return category;
    }

    public Coding code() {
        return code;
    }

    /** Further codings sent beside {@link #code()} (R4 profiles allow additional codings). */
    public List<Coding> extraCodings() {
        return extraCodings;
    }

    /** Canonical URL of the R4 profile the Observation must conform to, or null. */
    public String profile() {
        return profile;
    }

    public String ucum() {
        return ucum;
    }

    public String unitDisplay() {
        return unitDisplay;
    }

    public double min() {
        return min;
    }

    public double max() {
        return max;
    }

    public boolean isInteger() {
        return integer;
    }

    public List<Unit> units() {
        return units;
    }
}
