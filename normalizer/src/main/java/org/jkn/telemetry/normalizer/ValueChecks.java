package org.jkn.telemetry.normalizer;

import java.util.List;
import org.jkn.telemetry.normalizer.catalog.GlucoseUnit;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.normalizer.catalog.Unit;

/**
 * The value checks of the quantity, blood pressure and coded shapes: a known unit, a canonical
 * value in the type's range, whole where the type counts. A reading that passes goes to {@link
 * ReadingOutcomes#add}.
 *
 * <p>One per batch, made by {@link ReadingChecker}; not thread-safe.
 */
final class ValueChecks {

    static final long MICROS_PER_MINUTE = 60_000_000L;

    private final ReadingOutcomes outcomes;

    ValueChecks(ReadingOutcomes outcomes) {
        this.outcomes = outcomes;
    }

    /** An instant or period quantity; an exercise without a value lasts from start to end. */
    void checkQuantity(
            int index,
            String id,
            ReadingType type,
            ReadingFields f,
            long start,
            long end,
            int offset,
            int attrs) {
        if (type == ReadingType.EXERCISE && !f.hasValue) {
            f.value = (end - start) / (double) MICROS_PER_MINUTE; // the session's length
            f.hasValue = true;
            f.unit = null;
        }
        if (!f.hasValue) {
            outcomes.reject(
                    index, id, RejectReason.MISSING_FIELD, type.wireName() + " needs value");
            return;
        }
        double value = quantity(index, id, type, f.unit, f.value);
        if (Double.isNaN(value)) {
            return;
        }
        if (type == ReadingType.EXERCISE
                && value * MICROS_PER_MINUTE > (end - start) + MICROS_PER_MINUTE) {
            outcomes.reject(
                    index,
                    id,
                    RejectReason.IMPLAUSIBLE_VALUE,
                    "exercise lasts longer than its start to end");
            return;
        }
        outcomes.add(index, id, type, start, end, offset, value, Double.NaN, attrs, List.of());
    }

    /** Systolic and diastolic, in one unit, each in its range, systolic the higher. */
    void checkBloodPressure(
            int index,
            String id,
            ReadingType type,
            ReadingFields f,
            long start,
            long end,
            int offset,
            int attrs) {
        if (!f.hasSystolic || !f.hasDiastolic) {
            outcomes.reject(
                    index,
                    id,
                    RejectReason.MISSING_FIELD,
                    "blood_pressure needs systolic and diastolic");
            return;
        }
        Unit u = type.unit(f.unit);
        if (u == null) {
            outcomes.rejectUnit(index, id, type);
            return;
        }
        double systolic = u.toCanonical(f.systolic);
        double diastolic = u.toCanonical(f.diastolic);
        if (!inRange(systolic, type.min(), type.max())
                || !inRange(diastolic, ReadingType.DIASTOLIC_MIN, ReadingType.DIASTOLIC_MAX)) {
            outcomes.reject(
                    index,
                    id,
                    RejectReason.IMPLAUSIBLE_VALUE,
                    "systolic must be "
                            + num(type.min())
                            + "-"
                            + num(type.max())
                            + " and diastolic "
                            + num(ReadingType.DIASTOLIC_MIN)
                            + "-"
                            + num(ReadingType.DIASTOLIC_MAX)
                            + " mm[Hg]");
            return;
        }
        if (systolic <= diastolic) {
            outcomes.reject(
                    index, id, RejectReason.IMPLAUSIBLE_VALUE, "systolic must be above diastolic");
            return;
        }
        outcomes.add(index, id, type, start, end, offset, systolic, diastolic, attrs, List.of());
    }

    /** A coded reading: its attributes, already checked, are its value. */
    void checkCoded(
            int index, String id, ReadingType type, long start, long end, int offset, int attrs) {
        outcomes.add(index, id, type, start, end, offset, Double.NaN, Double.NaN, attrs, List.of());
    }

    /**
     * Canonical value, or NaN after adding a rejection. Glucose keeps its unit and is checked in
     * mmol/L.
     */
    double quantity(int index, String id, ReadingType type, String unitSpelling, double raw) {
        if (type == ReadingType.BLOOD_GLUCOSE) {
            return glucose(index, id, type, unitSpelling, raw);
        }
        Unit u = type.unit(unitSpelling);
        if (u == null) {
            outcomes.rejectUnit(index, id, type);
            return Double.NaN;
        }
        double value = u.toCanonical(raw);
        if (!inRange(value, type.min(), type.max())) {
            outcomes.reject(
                    index,
                    id,
                    RejectReason.IMPLAUSIBLE_VALUE,
                    type.wireName()
                            + " must be between "
                            + num(type.min())
                            + " and "
                            + num(type.max())
                            + " "
                            + type.ucum());
            return Double.NaN;
        }
        if (type.isInteger() && value != Math.rint(value)) {
            outcomes.reject(
                    index,
                    id,
                    RejectReason.NOT_AN_INTEGER,
                    type.wireName() + " must be a whole number");
            return Double.NaN;
        }
        return value;
    }

    /** The glucose value as sent, once its unit is one of the two and it is in range; else NaN. */
    private double glucose(
            int index, String id, ReadingType type, String unitSpelling, double raw) {
        GlucoseUnit unit = GlucoseUnit.ofSpelling(unitSpelling);
        if (unit == GlucoseUnit.NONE) {
            outcomes.reject(
                    index,
                    id,
                    unitSpelling == null
                            ? RejectReason.MISSING_FIELD
                            : RejectReason.UNIT_NOT_ACCEPTED,
                    "blood_glucose needs unit mg/dL or mmol/L (the value is kept in it)");
            return Double.NaN;
        }
        double mmol =
                unit == GlucoseUnit.MG_PER_DL ? raw / ReadingType.GLUCOSE_MG_DL_PER_MMOL_L : raw;
        if (!inRange(mmol, type.min(), type.max())) {
            outcomes.reject(
                    index,
                    id,
                    RejectReason.IMPLAUSIBLE_VALUE,
                    "blood_glucose must be between 0 and 50 mmol/L (900 mg/dL)");
            return Double.NaN;
        }
        return raw;
    }

    /** A limit as people write it in a message: 250, not 250.0. */
    static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    static boolean inRange(double v, double min, double max) {
        return v >= min && v <= max; // false for NaN and infinities
    }
}
