package org.jkn.telemetry.normalizer.catalog;

import static org.jkn.telemetry.normalizer.catalog.Unit.same;
import static org.jkn.telemetry.normalizer.catalog.Unit.times;

/**
 * Accepted input units per kind of quantity, with exact factors to the canonical UCUM unit.
 * International avoirdupois pound 0.45359237 kg and inch 2.54 cm are exact by definition; 1 kcal =
 * 4.184 kJ (thermochemical calorie, as UCUM's cal).
 */
final class Units {

    private Units() {}

    static final Unit[] MASS_TO_KG = {
        times("g", 0.001), times("[lb_av]", 0.45359237), times("lb", 0.45359237),
                times("lbs", 0.45359237),
        times("[oz_av]", 0.028349523125), times("oz", 0.028349523125),
                times("[stone_av]", 6.35029318), times("st", 6.35029318)
    };

    static final Unit[] BODY_LENGTH_TO_CM = {
        times("m", 100),
        times("mm", 0.1),
        times("[in_i]", 2.54),
        times("in", 2.54),
        times("[ft_i]", 30.48),
        times("ft", 30.48)
    };

    static final Unit[] CIRCUMFERENCE_TO_CM = {
        times("m", 100), times("mm", 0.1), times("[in_i]", 2.54), times("in", 2.54)
    };

    static final Unit[] DISTANCE_TO_M = {
        times("km", 1000), times("cm", 0.01), times("[mi_i]", 1609.344), times("mi", 1609.344),
        times("[ft_i]", 0.3048), times("ft", 0.3048), times("[yd_i]", 0.9144), times("yd", 0.9144)
    };

    static final Unit[] ELEVATION_TO_M = {
        times("km", 1000), times("[ft_i]", 0.3048), times("ft", 0.3048)
    };

    static final Unit[] ENERGY_TO_KCAL = {
        times("kJ", 1 / 4.184),
        times("J", 1 / 4184.0),
        times("cal", 0.001),
        times("[Cal]", 1),
        times("Cal", 1)
    };

    /** 1 W = 86400 J/d = 86400 / 4184 kcal/d. */
    static final Unit[] POWER_TO_KCAL_PER_DAY = {
        times("W", 86400 / 4184.0), times("kJ/d", 1 / 4.184), times("kcal/day", 1)
    };

    static final Unit[] DURATION_TO_MIN = {
        times("s", 1 / 60.0), times("ms", 1 / 60000.0), times("h", 60)
    };

    /**
     * Fractions 0-1 only when the unit says so ("1" is UCUM's unity); magnitude is never guessed
     * from.
     */
    static final Unit[] FRACTION_TO_PERCENT = {times("1", 100), times("{fraction}", 100)};

    /** Affine: degrees Fahrenheit (x - 32) * 5/9, kelvin x - 273.15. */
    static final Unit[] TEMPERATURE_TO_CEL = {
        same("°C"),
        same("degC"),
        new Unit("[degF]", 5 / 9.0, -32 * 5 / 9.0),
        new Unit("degF", 5 / 9.0, -32 * 5 / 9.0),
        new Unit("°F", 5 / 9.0, -32 * 5 / 9.0),
        new Unit("K", 1, -273.15)
    };

    static final Unit[] PER_MINUTE_BEATS = {
        same("bpm"), same("{beats}/min"), same("beats/min"), times("Hz", 60)
    };

    static final Unit[] PER_MINUTE_BREATHS = {
        same("{breaths}/min"), same("breaths/min"), same("brpm")
    };

    static final Unit[] MMHG = {same("mmHg"), times("kPa", 7.50061683)};

    static final Unit[] MS = {times("s", 1000)};

    static final Unit[] STEPS = {same("steps"), same("1"), same("{count}")};

    /** Glucose keeps the unit it was sent in; these spellings map to the two canonical ones. */
    static final Unit[] GLUCOSE = {same("mmol/L"), same("mg/dl"), same("mmol/l")};
}
