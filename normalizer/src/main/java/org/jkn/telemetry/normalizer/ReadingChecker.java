package org.jkn.telemetry.normalizer;

import java.util.List;
import java.util.Set;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.normalizer.catalog.Shape;

/**
 * Checks one reading's fields and, when they pass, converts them to a {@link NormalizedReading}.
 * Every failure becomes a {@link Rejection} with a stable reason. Stateless apart from the limits.
 */
final class ReadingChecker {

    private final long futureSkewMicros;
    private final long maxAgeMicros;
    private final long maxPeriodMicros;

    ReadingChecker(NormalizerLimits limits) {
        this.futureSkewMicros = limits.futureSkew().toNanos() / 1000;
        this.maxAgeMicros = limits.maxAge().toSeconds() * 1_000_000L;
        this.maxPeriodMicros = limits.maxPeriod().toSeconds() * 1_000_000L;
    }

    void check(int index, ReadingFields f, long nowMicros, Set<String> seenIds,
               List<NormalizedReading> out, List<Rejection> rejections) {
        if (f.id == null) {
            reject(rejections, index, null, RejectReason.MISSING_FIELD, "id is required");
            return;
        }
        if (!BatchNormalizer.isValidId(f.id)) {
            reject(rejections, index, null, RejectReason.INVALID_ID,
                    "id must be 1-64 characters of letters, digits and . _ : -");
            return;
        }
        String id = f.id;
        if (f.wrongField != null) {
            reject(rejections, index, id, RejectReason.WRONG_TYPE, f.wrongField + " must be " + f.wrongFieldExpected);
            return;
        }
        if (f.type == null) {
            reject(rejections, index, id, RejectReason.MISSING_FIELD, "type is required");
            return;
        }
        ReadingType type = ReadingType.ofWireName(f.type);
        if (type == null) {
            reject(rejections, index, id, RejectReason.UNKNOWN_TYPE, "type is not a known reading type");
            return;
        }
        Shape shape = type.shape();

        // time
        long start;
        long end;
        int offset;
        if (shape.isPeriod()) {
            if (f.startState == ReadingFields.ABSENT || f.endState == ReadingFields.ABSENT) {
                reject(rejections, index, id, RejectReason.MISSING_FIELD, type.wireName() + " needs start and end");
                return;
            }
            if (f.startState == ReadingFields.INVALID || f.endState == ReadingFields.INVALID) {
                reject(rejections, index, id, RejectReason.INVALID_TIME,
                        "start and end must be ISO 8601 date-times with a UTC offset, e.g. 2026-11-22T08:00:00+07:00");
                return;
            }
            start = f.startMicros;
            end = f.endMicros;
            offset = f.startOffset;
            if (end < start) {
                reject(rejections, index, id, RejectReason.END_BEFORE_START, "end is before start");
                return;
            }
            if (end - start > maxPeriodMicros) {
                reject(rejections, index, id, RejectReason.PERIOD_TOO_LONG, "one reading may cover at most "
                        + maxPeriodMicros / 86_400_000_000L + " days");
                return;
            }
        } else {
            if (f.timeState == ReadingFields.ABSENT) {
                reject(rejections, index, id, RejectReason.MISSING_FIELD, type.wireName() + " needs time");
                return;
            }
            if (f.timeState == ReadingFields.INVALID) {
                reject(rejections, index, id, RejectReason.INVALID_TIME,
                        "time must be an ISO 8601 date-time with a UTC offset, e.g. 2026-11-22T08:00:00+07:00");
                return;
            }
            start = end = f.timeMicros;
            offset = f.timeOffset;
        }
        if (end > nowMicros + futureSkewMicros) {
            reject(rejections, index, id, RejectReason.TIME_IN_FUTURE, "reading time is in the future");
            return;
        }
        if (start < nowMicros - maxAgeMicros) {
            reject(rejections, index, id, RejectReason.TIME_TOO_OLD, "reading is older than "
                    + maxAgeMicros / 86_400_000_000L + " days");
            return;
        }

        // value
        double factor = type.unitFactor(f.unit);
        if (Double.isNaN(factor)) {
            reject(rejections, index, id, RejectReason.UNIT_NOT_ACCEPTED, "unit is not accepted for " + type.wireName()
                    + "; use " + acceptedUnits(type));
            return;
        }
        double value;
        double value2 = Double.NaN;
        if (shape == Shape.BLOOD_PRESSURE) {
            if (!f.hasSystolic || !f.hasDiastolic) {
                reject(rejections, index, id, RejectReason.MISSING_FIELD, "blood_pressure needs systolic and diastolic");
                return;
            }
            value = f.systolic * factor;
            value2 = f.diastolic * factor;
            if (!inRange(value, type.min(), type.max()) || !inRange(value2, ReadingType.DIASTOLIC_MIN, ReadingType.DIASTOLIC_MAX)) {
                reject(rejections, index, id, RejectReason.IMPLAUSIBLE_VALUE, "systolic must be " + num(type.min()) + "-" + num(type.max())
                        + " and diastolic " + num(ReadingType.DIASTOLIC_MIN) + "-" + num(ReadingType.DIASTOLIC_MAX) + " mm[Hg]");
                return;
            }
            if (value <= value2) {
                reject(rejections, index, id, RejectReason.IMPLAUSIBLE_VALUE, "systolic must be above diastolic");
                return;
            }
        } else {
            if (!f.hasValue) {
                reject(rejections, index, id, RejectReason.MISSING_FIELD, type.wireName() + " needs value");
                return;
            }
            value = f.value * factor;
            if (!inRange(value, type.min(), type.max())) {
                reject(rejections, index, id, RejectReason.IMPLAUSIBLE_VALUE, type.wireName() + " must be between "
                        + num(type.min()) + " and " + num(type.max()) + " " + type.ucum());
                return;
            }
            if (type.isInteger() && value != Math.rint(value)) {
                reject(rejections, index, id, RejectReason.NOT_AN_INTEGER, type.wireName() + " must be a whole number");
                return;
            }
        }
        if (!seenIds.add(id)) {
            reject(rejections, index, id, RejectReason.DUPLICATE_IN_BATCH, "another reading in this batch has the same id");
            return;
        }
        out.add(new NormalizedReading(type, id, start, end, offset, value, value2));
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static boolean inRange(double v, double min, double max) {
        return v >= min && v <= max; // false for NaN and infinities
    }

    private static String acceptedUnits(ReadingType type) {
        StringBuilder sb = new StringBuilder();
        for (var u : type.units()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(u.spelling());
        }
        return sb.toString();
    }

    private static void reject(List<Rejection> rejections, int index, String id, RejectReason reason, String message) {
        rejections.add(new Rejection(index, id, reason, message));
    }
}
