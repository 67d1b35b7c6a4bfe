package org.jkn.telemetry.normalizer.catalog;

import static org.jkn.telemetry.normalizer.catalog.Coding.loinc;
import static org.jkn.telemetry.normalizer.catalog.Coding.observationType;
import static org.jkn.telemetry.normalizer.catalog.Coding.snomed;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The catalogue of reading types: wire name, codes, FHIR category and profile, canonical UCUM unit
 * and accepted input units, plausible range, and categorical or context attributes.
 *
 * <p>Codes follow the R4 vital-signs profiles (https://hl7.org/fhir/R4/observation-vitalsigns.html)
 * and LOINC; ranges are Android Health Connect's documented valid ranges unless noted. Where no
 * standard code fits, a code of the project's CodeSystem is used. docs/reading-types.md lists every
 * choice with its source. {@link #id()} is stored in the journal and the database and must never
 * change for an existing type.
 *
 * <p>Immutable and thread-safe.
 */
public enum ReadingType {
    // activity
    STEPS(
            2,
            "steps",
            TypeDef.of(
                            Shape.PERIOD_QUANTITY,
                            Category.ACTIVITY,
                            loinc("55423-8", "Number of steps in unspecified time Pedometer"))
                    .unit("{steps}", "steps", Units.STEPS)
                    .integer()
                    .range(0, 1_000_000, "Health Connect StepsRecord")),
    DISTANCE(
            5,
            "distance",
            TypeDef.of(
                            Shape.PERIOD_QUANTITY,
                            Category.ACTIVITY,
                            observationType("distance", "Distance travelled"))
                    .unit("m", "m", Units.DISTANCE_TO_M)
                    .range(0, 1_000_000, "Health Connect DistanceRecord")),
    CALORIES_ACTIVE(
            6,
            "calories_active",
            TypeDef.of(
                            Shape.PERIOD_QUANTITY,
                            Category.ACTIVITY,
                            observationType("calories-active", "Active energy burned"))
                    .also(loinc("41981-2", "Calories burned"))
                    .unit("kcal", "kcal", Units.ENERGY_TO_KCAL)
                    .range(0, 1_000_000, "Health Connect ActiveCaloriesBurnedRecord")),
    CALORIES_TOTAL(
            7,
            "calories_total",
            TypeDef.of(
                            Shape.PERIOD_QUANTITY,
                            Category.ACTIVITY,
                            observationType("calories-total", "Total energy burned"))
                    .also(loinc("41981-2", "Calories burned"))
                    .unit("kcal", "kcal", Units.ENERGY_TO_KCAL)
                    .range(0, 1_000_000, "Health Connect TotalCaloriesBurnedRecord")),
    EXERCISE(
            8,
            "exercise",
            TypeDef.of(
                            Shape.PERIOD_QUANTITY,
                            Category.ACTIVITY,
                            loinc("55411-3", "Exercise duration"))
                    .unit("min", "min", Units.DURATION_TO_MIN)
                    .range(
                            0,
                            1440,
                            "one day; Health Connect ExerciseSessionRecord only requires start < end")),
    ELEVATION_GAINED(
            9,
            "elevation_gained",
            TypeDef.of(
                            Shape.PERIOD_QUANTITY,
                            Category.ACTIVITY,
                            observationType("elevation-gained", "Elevation gained"))
                    .unit("m", "m", Units.ELEVATION_TO_M)
                    .range(-1_000_000, 1_000_000, "Health Connect ElevationGainedRecord")),

    // body
    BODY_FAT(
            10,
            "body_fat",
            TypeDef.of(
                            Shape.INSTANT_QUANTITY,
                            Category.EXAM,
                            loinc("41982-0", "Percentage of body fat Measured"))
                    .unit("%", "%", Units.FRACTION_TO_PERCENT)
                    .range(0, 100, "Health Connect BodyFatRecord")),
    BONE_MASS(
            11,
            "bone_mass",
            TypeDef.of(
                            Shape.INSTANT_QUANTITY,
                            Category.EXAM,
                            observationType("bone-mass", "Bone mass"))
                    .unit("kg", "kg", Units.MASS_TO_KG)
                    .range(0, 1000, "Health Connect BoneMassRecord")),
    HEIGHT(
            12,
            "height",
            TypeDef.of(Shape.INSTANT_QUANTITY, Category.VITAL_SIGNS, loinc("8302-2", "Body height"))
                    .profile("bodyheight")
                    .unit("cm", "cm", Units.BODY_LENGTH_TO_CM)
                    .range(0, 300, "Health Connect HeightRecord (0-3 m)")),
    HIP_CIRCUMFERENCE(
            13,
            "hip_circumference",
            TypeDef.of(
                            Shape.INSTANT_QUANTITY,
                            Category.EXAM,
                            snomed("284472007", "Hip circumference"))
                    .unit("cm", "cm", Units.CIRCUMFERENCE_TO_CM)
                    .range(0, 1000, "Health Connect HipCircumferenceRecord (0-10 m)")),
    LEAN_BODY_MASS(
            14,
            "lean_body_mass",
            TypeDef.of(Shape.INSTANT_QUANTITY, Category.EXAM, loinc("91557-9", "Lean body weight"))
                    .unit("kg", "kg", Units.MASS_TO_KG)
                    .range(0, 1000, "Health Connect LeanBodyMassRecord")),
    BASAL_METABOLIC_RATE(
            15,
            "basal_metabolic_rate",
            TypeDef.of(
                            Shape.INSTANT_QUANTITY,
                            Category.EXAM,
                            observationType("basal-metabolic-rate", "Basal metabolic rate"))
                    .unit("kcal/d", "kcal/day", Units.POWER_TO_KCAL_PER_DAY)
                    .range(0, 10_000, "Health Connect BasalMetabolicRateRecord")),
    WAIST_CIRCUMFERENCE(
            16,
            "waist_circumference",
            TypeDef.of(
                            Shape.INSTANT_QUANTITY,
                            Category.EXAM,
                            snomed("276361009", "Waist circumference"))
                    .unit("cm", "cm", Units.CIRCUMFERENCE_TO_CM)
                    .range(0, 1000, "Health Connect WaistCircumferenceRecord (0-10 m)")),
    WEIGHT(
            17,
            "weight",
            TypeDef.of(
                            Shape.INSTANT_QUANTITY,
                            Category.VITAL_SIGNS,
                            loinc("29463-7", "Body weight"))
                    .profile("bodyweight")
                    .unit("kg", "kg", Units.MASS_TO_KG)
                    .range(0, 1000, "Health Connect WeightRecord")),

    // cycle: sensitive, never stored or shown without an explicit consent
    CERVICAL_MUCUS(
            18,
            "cervical_mucus",
            TypeDef.of(
                            Shape.INSTANT_CODED,
                            Category.SOCIAL_HISTORY,
                            observationType("cervical-mucus", "Cervical mucus"))
                    .sensitive()
                    .atLeastOne()
                    .attributes(
                            Attributes.CERVICAL_MUCUS_APPEARANCE,
                            Attributes.CERVICAL_MUCUS_SENSATION)),
    CERVICAL_POSITION(
            19,
            "cervical_position",
            TypeDef.of(
                            Shape.INSTANT_CODED,
                            Category.SOCIAL_HISTORY,
                            observationType("cervical-position", "Cervical position"))
                    .sensitive()
                    .atLeastOne()
                    .attributes(
                            Attributes.CERVIX_POSITION,
                            Attributes.CERVIX_OPENNESS,
                            Attributes.CERVIX_FIRMNESS)),
    MENSTRUATION_FLOW(
            20,
            "menstruation_flow",
            TypeDef.of(
                            Shape.INSTANT_CODED,
                            Category.SOCIAL_HISTORY,
                            snomed("364308001", "Quantity of menstrual blood loss"))
                    .also(observationType("menstruation-flow", "Menstruation flow"))
                    .sensitive()
                    .attributes(Attributes.MENSTRUATION_FLOW)),
    OVULATION_TEST(
            21,
            "ovulation_test",
            TypeDef.of(
                            Shape.INSTANT_CODED,
                            Category.SOCIAL_HISTORY,
                            observationType("ovulation-test", "Home ovulation test result"))
                    .sensitive()
                    .attributes(Attributes.OVULATION_RESULT)),
    SEXUAL_ACTIVITY(
            22,
            "sexual_activity",
            TypeDef.of(
                            Shape.INSTANT_CODED,
                            Category.SOCIAL_HISTORY,
                            observationType("sexual-activity", "Sexual activity"))
                    .sensitive()
                    .attributes(Attributes.PROTECTION_USED)),
    INTERMENSTRUAL_BLEEDING(
            23,
            "intermenstrual_bleeding",
            TypeDef.of(
                            Shape.INSTANT_CODED,
                            Category.SOCIAL_HISTORY,
                            snomed("237130006", "Intermenstrual bleeding"))
                    .also(observationType("intermenstrual-bleeding", "Intermenstrual bleeding"))
                    .sensitive()),
    LACTATION(
            24,
            "lactation",
            TypeDef.of(
                            Shape.PERIOD_CODED,
                            Category.SOCIAL_HISTORY,
                            loinc("63895-7", "Breastfeeding status"))
                    .sensitive()),

    // sleep
    SLEEP_SESSION(
            25,
            "sleep_session",
            TypeDef.of(Shape.SLEEP_SESSION, Category.ACTIVITY, loinc("93832-4", "Sleep duration"))
                    .unit("min", "min")
                    .range(
                            0,
                            1440,
                            "one day; Health Connect SleepSessionRecord only requires start < end")),

    // vitals
    BASAL_BODY_TEMPERATURE(
            26,
            "basal_body_temperature",
            TypeDef.of(
                            Shape.INSTANT_QUANTITY,
                            Category.VITAL_SIGNS,
                            snomed("300076005", "Basal body temperature"))
                    .also(loinc("8310-5", "Body temperature"))
                    .profile("bodytemp")
                    .unit("Cel", "°C", Units.TEMPERATURE_TO_CEL)
                    .range(0, 100, "Health Connect BasalBodyTemperatureRecord")
                    .attributes(Attributes.TEMPERATURE_LOCATION)),
    BLOOD_GLUCOSE(
            27,
            "blood_glucose",
            TypeDef.of(
                            Shape.INSTANT_QUANTITY,
                            Category.LABORATORY,
                            observationType(
                                    "glucose-unspecified-specimen",
                                    "Glucose, specimen not specified"))
                    .unit("mg/dL", "mg/dL", Units.GLUCOSE)
                    .range(0, 50, "Health Connect BloodGlucoseRecord (0-50 mmol/L)")
                    .attributes(
                            Attributes.GLUCOSE_SPECIMEN,
                            Attributes.GLUCOSE_MEAL,
                            Attributes.GLUCOSE_UNIT)),
    BLOOD_PRESSURE(
            3,
            "blood_pressure",
            TypeDef.of(
                            Shape.BLOOD_PRESSURE,
                            Category.VITAL_SIGNS,
                            loinc("85354-9", "Blood pressure panel with all children optional"))
                    .profile("bp")
                    .unit("mm[Hg]", "mmHg", Units.MMHG)
                    .range(20, 200, "Health Connect BloodPressureRecord (systolic)")
                    .attributes(Attributes.BP_BODY_POSITION, Attributes.BP_LOCATION)),
    BODY_TEMPERATURE(
            28,
            "body_temperature",
            TypeDef.of(
                            Shape.INSTANT_QUANTITY,
                            Category.VITAL_SIGNS,
                            loinc("8310-5", "Body temperature"))
                    .profile("bodytemp")
                    .unit("Cel", "°C", Units.TEMPERATURE_TO_CEL)
                    .range(0, 100, "Health Connect BodyTemperatureRecord")
                    .attributes(Attributes.TEMPERATURE_LOCATION)),
    HEART_RATE(
            1,
            "heart_rate",
            TypeDef.of(Shape.INSTANT_QUANTITY, Category.VITAL_SIGNS, loinc("8867-4", "Heart rate"))
                    .profile("heartrate")
                    .unit("/min", "beats/minute", Units.PER_MINUTE_BEATS)
                    .range(1, 300, "Health Connect HeartRateRecord")),
    HEART_RATE_VARIABILITY(
            29,
            "heart_rate_variability",
            TypeDef.of(
                            Shape.INSTANT_QUANTITY,
                            Category.EXAM,
                            observationType("hrv-rmssd", "Heart rate variability RMSSD"))
                    .unit("ms", "ms", Units.MS)
                    .range(1, 200, "Health Connect HeartRateVariabilityRmssdRecord")
                    .attributes(Attributes.HRV_METHOD)),
    OXYGEN_SATURATION(
            4,
            "oxygen_saturation",
            TypeDef.of(
                            Shape.INSTANT_QUANTITY,
                            Category.VITAL_SIGNS,
                            loinc("2708-6", "Oxygen saturation in Arterial blood"))
                    .also(loinc("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"))
                    .profile("oxygensat")
                    .unit("%", "%", Units.FRACTION_TO_PERCENT)
                    .range(0, 100, "Health Connect OxygenSaturationRecord")),
    RESPIRATORY_RATE(
            30,
            "respiratory_rate",
            TypeDef.of(
                            Shape.INSTANT_QUANTITY,
                            Category.VITAL_SIGNS,
                            loinc("9279-1", "Respiratory rate"))
                    .profile("resprate")
                    .unit("/min", "breaths/minute", Units.PER_MINUTE_BREATHS)
                    .range(0, 1000, "Health Connect RespiratoryRateRecord")),
    RESTING_HEART_RATE(
            31,
            "resting_heart_rate",
            TypeDef.of(
                            Shape.INSTANT_QUANTITY,
                            Category.VITAL_SIGNS,
                            loinc("40443-4", "Heart rate --resting"))
                    .also(loinc("8867-4", "Heart rate"))
                    .profile("heartrate")
                    .unit("/min", "beats/minute", Units.PER_MINUTE_BEATS)
                    .range(1, 300, "Health Connect RestingHeartRateRecord"));

    /** Blood pressure components (R4 bp profile), with Health Connect's ranges. */
    public static final Coding SYSTOLIC = loinc("8480-6", "Systolic blood pressure");

    public static final Coding DIASTOLIC = loinc("8462-4", "Diastolic blood pressure");
    public static final double DIASTOLIC_MIN = 10;
    public static final double DIASTOLIC_MAX = 180;

    /** Lactation's value: the period is a period of breastfeeding. */
    public static final Coding BREASTFEEDING = loinc("LA29252-6", "Currently breastfeeding");

    /**
     * mg/dL per mmol/L of glucose (molar mass 180.156 g/mol, LOINC); used only to range-check mg/dL
     * values.
     */
    public static final double GLUCOSE_MG_DL_PER_MMOL_L = 18.0156;

    /** Positions of the specimen and the unit in {@link #BLOOD_GLUCOSE}'s attributes. */
    static final int GLUCOSE_SPECIMEN_SLOT = 0;

    static final int GLUCOSE_UNIT_SLOT = 2;

    private static final Map<String, ReadingType> BY_WIRE_NAME = new HashMap<>();
    private static final ReadingType[] BY_ID = new ReadingType[64];
    private static final Map<String, Set<String>> STORED_CODES_BY_CODE = new HashMap<>();

    static {
        for (ReadingType t : values()) {
            if (BY_WIRE_NAME.put(t.wireName, t) != null || BY_ID[t.id] != null) {
                throw new ExceptionInInitializerError("duplicate reading type " + t);
            }
            BY_ID[t.id] = t;
            t.dataCategory = t.group();
            Set<String> own = new LinkedHashSet<>();
            for (int attrs : t.codeVariants()) {
                List<Coding> codings = t.codings(attrs);
                String stored = codings.get(0).code();
                own.add(stored);
                for (Coding c : codings) {
                    STORED_CODES_BY_CODE
                            .computeIfAbsent(c.code(), k -> new LinkedHashSet<>())
                            .add(stored);
                    STORED_CODES_BY_CODE
                            .computeIfAbsent(
                                    c.system() + "|" + c.code(), k -> new LinkedHashSet<>())
                            .add(stored);
                }
            }
            t.storedCodes = Set.copyOf(own);
        }
    }

    private final int id;
    private final String wireName;
    private final TypeDef def;
    private final List<Coding> codings;

    /** Set once in the static initializer (a switch on the enum cannot run in its constructor). */
    private DataCategory dataCategory;

    /**
     * Every {@link #storedCode} this type can give, whatever its attributes; set in the static
     * initializer.
     */
    private Set<String> storedCodes;

    ReadingType(int id, String wireName, TypeDef def) {
        this.id = id;
        this.wireName = wireName;
        this.def = def;
        List<Coding> all = new ArrayList<>();
        all.add(def.code);
        all.addAll(def.extraCodings);
        this.codings = List.copyOf(all);
    }

    /** Type for a wire name, or null. */
    public static ReadingType ofWireName(String name) {
        return BY_WIRE_NAME.get(name);
    }

    /** Type for its stable id, or null. */
    public static ReadingType ofId(int id) {
        return id > 0 && id < BY_ID.length ? BY_ID[id] : null;
    }

    /**
     * The stored primary codes ({@link #storedCode}) of every Observation that carries this coding,
     * for search. {@code token} is {@code code} or {@code system|code}. Empty when none.
     */
    public static Set<String> storedCodesMatching(String system, String code) {
        Set<String> s =
                system == null || system.isEmpty()
                        ? STORED_CODES_BY_CODE.get(code)
                        : STORED_CODES_BY_CODE.get(system + "|" + code);
        return s == null ? Set.of() : s;
    }

    /**
     * The Observation.code codings of a reading with these attributes, primary first. Glucose picks
     * its LOINC code by specimen and unit, HRV by statistic; the rest are fixed.
     */
    public List<Coding> codings(int attrs) {
        return switch (this) {
            case BLOOD_GLUCOSE -> List.of(glucoseSpecimen(attrs).coding(glucoseUnit(attrs)));
            case HEART_RATE_VARIABILITY ->
                    attribute(attrs, 0) == 2
                            ? List.of(
                                    loinc(
                                            "80404-7",
                                            "R-R interval.standard deviation (Heart rate variability)"))
                            : codings;
            default -> codings;
        };
    }

    /** Every code {@link #storedCode} can return for this type. */
    public Set<String> storedCodes() {
        return storedCodes;
    }

    /** The code stored with the reading and matched by search: the primary coding's code. */
    public String storedCode(int attrs) {
        return codings(attrs).get(0).code();
    }

    /** Attribute values that change the code, for building the search index. */
    private int[] codeVariants() {
        return switch (this) {
            case BLOOD_GLUCOSE -> {
                GlucoseUnit[] units = {GlucoseUnit.MG_PER_DL, GlucoseUnit.MMOL_PER_L};
                GlucoseSpecimen[] specimens = GlucoseSpecimen.values();
                int[] v = new int[specimens.length * units.length];
                int n = 0;
                for (GlucoseSpecimen specimen : specimens) {
                    for (GlucoseUnit unit : units) {
                        v[n++] =
                                specimen.storedCode() << (8 * GLUCOSE_SPECIMEN_SLOT)
                                        | unit.storedCode() << (8 * GLUCOSE_UNIT_SLOT);
                    }
                }
                yield v;
            }
            case HEART_RATE_VARIABILITY -> new int[] {0, 1, 2};
            default -> new int[] {0};
        };
    }

    /** The stored choice (index + 1, 0 = absent) of attribute {@code k} in packed {@code attrs}. */
    public static int attribute(int attrs, int k) {
        return (attrs >>> (8 * k)) & 0xff;
    }

    /** The unit of a blood glucose reading with these packed attributes. */
    static GlucoseUnit glucoseUnit(int attrs) {
        return GlucoseUnit.ofStoredCode(attribute(attrs, GLUCOSE_UNIT_SLOT));
    }

    /**
     * The specimen of a blood glucose reading with these packed attributes, or null when they hold
     * a code no specimen has.
     */
    static GlucoseSpecimen glucoseSpecimen(int attrs) {
        return GlucoseSpecimen.ofStoredCode(attribute(attrs, GLUCOSE_SPECIMEN_SLOT));
    }

    /**
     * Canonical UCUM unit of a reading with these attributes (glucose keeps the unit it was sent
     * in).
     */
    public String ucum(int attrs) {
        if (this == BLOOD_GLUCOSE && glucoseUnit(attrs) == GlucoseUnit.MMOL_PER_L) {
            return GlucoseUnit.MMOL_PER_L.ucum();
        }
        return def.ucum;
    }

    /**
     * Factor and offset for an input unit, or null when the unit is not accepted. A missing unit
     * means the canonical one.
     */
    public Unit unit(String spelling) {
        if (spelling == null) {
            return def.units.isEmpty() ? null : def.units.get(0);
        }
        for (int i = 0; i < def.units.size(); i++) {
            Unit u = def.units.get(i);
            if (u.spelling().equals(spelling)) {
                return u;
            }
        }
        return null;
    }

    public int id() {
        return id;
    }

    public String wireName() {
        return wireName;
    }

    public Shape shape() {
        return def.shape;
    }

    public Category category() {
        return def.category;
    }

    /** The primary coding for attribute-free readings (see {@link #codings(int)}). */
    public Coding code() {
        return def.code;
    }

    /** Canonical URL of the R4 profile the Observation must conform to, or null. */
    public String profile() {
        return def.profile;
    }

    public String ucum() {
        return def.ucum;
    }

    public String unitDisplay() {
        return def.unitDisplay;
    }

    public double min() {
        return def.min;
    }

    public double max() {
        return def.max;
    }

    public String rangeSource() {
        return def.rangeSource;
    }

    public boolean isInteger() {
        return def.integer;
    }

    /** The group of DESIGN.md the type belongs to, which consent decisions are made per. */
    public DataCategory dataCategory() {
        return dataCategory;
    }

    /** Listed exhaustively (no default) so a new type does not compile until it has its group. */
    private DataCategory group() {
        return switch (this) {
            case STEPS, DISTANCE, CALORIES_ACTIVE, CALORIES_TOTAL, EXERCISE, ELEVATION_GAINED ->
                    DataCategory.ACTIVITY;
            case BODY_FAT,
                    BONE_MASS,
                    HEIGHT,
                    HIP_CIRCUMFERENCE,
                    LEAN_BODY_MASS,
                    BASAL_METABOLIC_RATE,
                    WAIST_CIRCUMFERENCE,
                    WEIGHT ->
                    DataCategory.BODY;
            case CERVICAL_MUCUS,
                    CERVICAL_POSITION,
                    MENSTRUATION_FLOW,
                    OVULATION_TEST,
                    SEXUAL_ACTIVITY,
                    INTERMENSTRUAL_BLEEDING,
                    LACTATION ->
                    DataCategory.CYCLE;
            case SLEEP_SESSION -> DataCategory.SLEEP;
            case BASAL_BODY_TEMPERATURE,
                    BLOOD_GLUCOSE,
                    BLOOD_PRESSURE,
                    BODY_TEMPERATURE,
                    HEART_RATE,
                    HEART_RATE_VARIABILITY,
                    OXYGEN_SATURATION,
                    RESPIRATORY_RATE,
                    RESTING_HEART_RATE ->
                    DataCategory.VITALS;
        };
    }

    /** Sexual and reproductive health data (the cycle group). */
    public boolean isSensitive() {
        return def.sensitive;
    }

    public List<Unit> units() {
        return def.units;
    }

    public List<Attribute> attributes() {
        return def.attributes;
    }

    /** True when a reading must carry at least one of its (optional) attributes. */
    public boolean needsAnAttribute() {
        return def.atLeastOne;
    }
}
