package org.jkn.telemetry.normalizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.jkn.telemetry.normalizer.catalog.Attribute;
import org.jkn.telemetry.normalizer.catalog.Attributes;
import org.jkn.telemetry.normalizer.catalog.GlucoseUnit;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.normalizer.catalog.Shape;
import org.jkn.telemetry.normalizer.catalog.SleepStageKind;
import org.jkn.telemetry.normalizer.catalog.Unit;

/**
 * Checks one reading's fields and, when they pass, converts them to {@link NormalizedReading}s
 * (several for a dense series). Every failure becomes a {@link Rejection} with a stable reason.
 * Stateless apart from the limits; the caller owns the field holder.
 */
final class ReadingChecker {

    /** Samples in one dense series: a day at 1 Hz. */
    static final int MAX_SAMPLES = 86_400;

    private static final long MICROS_PER_MINUTE = 60_000_000L;

    private final long futureSkewMicros;
    private final long maxAgeMicros;
    private final long maxPeriodMicros;

    ReadingChecker(NormalizerLimits limits) {
        this.futureSkewMicros = limits.futureSkew().toNanos() / 1000;
        this.maxAgeMicros = limits.maxAge().toSeconds() * 1_000_000L;
        this.maxPeriodMicros = limits.maxPeriod().toSeconds() * 1_000_000L;
    }

    void check(
            int index,
            ReadingFields f,
            long nowMicros,
            Set<String> seenIds,
            List<NormalizedReading> out,
            List<Rejection> rejections) {
        if (f.id == null) {
            reject(rejections, index, null, RejectReason.MISSING_FIELD, "id is required");
            return;
        }
        if (!BatchNormalizer.isValidId(f.id)) {
            reject(
                    rejections,
                    index,
                    null,
                    RejectReason.INVALID_ID,
                    "id must be 1-64 characters of letters, digits and . _ : -");
            return;
        }
        String id = f.id;
        if (f.wrongField != null) {
            reject(
                    rejections,
                    index,
                    id,
                    RejectReason.WRONG_TYPE,
                    f.wrongField + " must be " + f.wrongFieldExpected);
            return;
        }
        if (f.type == null) {
            reject(rejections, index, id, RejectReason.MISSING_FIELD, "type is required");
            return;
        }
        ReadingType type = ReadingType.ofWireName(f.type);
        if (type == null) {
            reject(
                    rejections,
                    index,
                    id,
                    RejectReason.UNKNOWN_TYPE,
                    "type is not a known reading type");
            return;
        }
        if (f.hasSamples) {
            checkSeries(index, id, type, f, nowMicros, seenIds, out, rejections);
            return;
        }
        // fast path: one reading
        Shape shape = type.shape();
        long start;
        long end;
        int offset;
        if (shape.isPeriod()) {
            if (f.startState == ReadingFields.ABSENT || f.endState == ReadingFields.ABSENT) {
                reject(
                        rejections,
                        index,
                        id,
                        RejectReason.MISSING_FIELD,
                        type.wireName() + " needs start and end");
                return;
            }
            if (f.startState == ReadingFields.INVALID || f.endState == ReadingFields.INVALID) {
                reject(
                        rejections,
                        index,
                        id,
                        RejectReason.INVALID_TIME,
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
                reject(
                        rejections,
                        index,
                        id,
                        RejectReason.PERIOD_TOO_LONG,
                        "one reading may cover at most "
                                + maxPeriodMicros / 86_400_000_000L
                                + " days");
                return;
            }
        } else {
            if (f.timeState == ReadingFields.ABSENT) {
                reject(
                        rejections,
                        index,
                        id,
                        RejectReason.MISSING_FIELD,
                        type.wireName() + " needs time");
                return;
            }
            if (f.timeState == ReadingFields.INVALID) {
                reject(
                        rejections,
                        index,
                        id,
                        RejectReason.INVALID_TIME,
                        "time must be an ISO 8601 date-time with a UTC offset, e.g. 2026-11-22T08:00:00+07:00");
                return;
            }
            start = end = f.timeMicros;
            offset = f.timeOffset;
        }
        if (!inWindow(index, id, start, end, nowMicros, rejections)) {
            return;
        }
        int attrs = attributes(index, id, type, f, rejections);
        if (attrs < 0) {
            return;
        }
        double value = Double.NaN;
        double diastolic = Double.NaN;
        List<SleepStage> stages = List.of();
        switch (shape) {
            case INSTANT_QUANTITY, PERIOD_QUANTITY -> {
                if (type == ReadingType.EXERCISE && !f.hasValue) {
                    f.value = (end - start) / (double) MICROS_PER_MINUTE; // the session's length
                    f.hasValue = true;
                    f.unit = null;
                }
                if (!f.hasValue) {
                    reject(
                            rejections,
                            index,
                            id,
                            RejectReason.MISSING_FIELD,
                            type.wireName() + " needs value");
                    return;
                }
                value = quantity(index, id, type, f.unit, f.value, rejections);
                if (Double.isNaN(value)) {
                    return;
                }
                if (type == ReadingType.EXERCISE
                        && value * MICROS_PER_MINUTE > (end - start) + MICROS_PER_MINUTE) {
                    reject(
                            rejections,
                            index,
                            id,
                            RejectReason.IMPLAUSIBLE_VALUE,
                            "exercise lasts longer than its start to end");
                    return;
                }
            }
            case BLOOD_PRESSURE -> {
                if (!f.hasSystolic || !f.hasDiastolic) {
                    reject(
                            rejections,
                            index,
                            id,
                            RejectReason.MISSING_FIELD,
                            "blood_pressure needs systolic and diastolic");
                    return;
                }
                Unit u = type.unit(f.unit);
                if (u == null) {
                    rejectUnit(rejections, index, id, type);
                    return;
                }
                value = u.toCanonical(f.systolic);
                diastolic = u.toCanonical(f.diastolic);
                if (!inRange(value, type.min(), type.max())
                        || !inRange(
                                diastolic, ReadingType.DIASTOLIC_MIN, ReadingType.DIASTOLIC_MAX)) {
                    reject(
                            rejections,
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
                if (value <= diastolic) {
                    reject(
                            rejections,
                            index,
                            id,
                            RejectReason.IMPLAUSIBLE_VALUE,
                            "systolic must be above diastolic");
                    return;
                }
            }
            case SLEEP_SESSION -> {
                stages = stages(index, id, f, start, end, rejections);
                if (stages == null) {
                    return;
                }
                value = asleepMinutes(stages, start, end);
                if (!inRange(value, type.min(), type.max())) {
                    reject(
                            rejections,
                            index,
                            id,
                            RejectReason.IMPLAUSIBLE_VALUE,
                            "a sleep session has at most " + num(type.max()) + " minutes asleep");
                    return;
                }
            }
            case INSTANT_CODED, PERIOD_CODED -> {
                // the attributes are the value
            }
        }
        if (!seenIds.add(id)) {
            reject(
                    rejections,
                    index,
                    id,
                    RejectReason.DUPLICATE_IN_BATCH,
                    "another reading in this batch has the same id");
            return;
        }
        out.add(
                new NormalizedReading(
                        type, id, start, end, offset, value, diastolic, attrs, stages));
    }

    /**
     * Slow path: a dense series of samples at a fixed interval, one reading per sample ({@code
     * id#n}).
     */
    private void checkSeries(
            int index,
            String id,
            ReadingType type,
            ReadingFields f,
            long nowMicros,
            Set<String> seenIds,
            List<NormalizedReading> out,
            List<Rejection> rejections) {
        if (type.shape() != Shape.INSTANT_QUANTITY) {
            reject(
                    rejections,
                    index,
                    id,
                    RejectReason.INVALID_SERIES,
                    type.wireName() + " cannot be sent as a series of values");
            return;
        }
        if (f.startState != ReadingFields.PRESENT || !f.hasInterval) {
            reject(
                    rejections,
                    index,
                    id,
                    f.startState == ReadingFields.INVALID
                            ? RejectReason.INVALID_TIME
                            : RejectReason.MISSING_FIELD,
                    "a series needs start (ISO 8601 with offset) and interval (seconds)");
            return;
        }
        // times are microseconds: a shorter interval would put every sample on one instant
        long intervalMicros = Math.round(f.interval * 1_000_000.0);
        if (!(f.interval > 0 && f.interval <= 86_400)
                || intervalMicros < 1
                || f.sampleCount == 0
                || f.sampleCount > MAX_SAMPLES) {
            reject(
                    rejections,
                    index,
                    id,
                    RejectReason.INVALID_SERIES,
                    "a series has 1-"
                            + MAX_SAMPLES
                            + " values and an interval of 0.000001 to 86400 seconds");
            return;
        }
        long first = f.startMicros;
        long last = first + intervalMicros * (f.sampleCount - 1);
        if (!inWindow(index, id, first, last, nowMicros, rejections)) {
            return;
        }
        int attrs = attributes(index, id, type, f, rejections);
        if (attrs < 0) {
            return;
        }
        if (!seenIds.add(id)) {
            reject(
                    rejections,
                    index,
                    id,
                    RejectReason.DUPLICATE_IN_BATCH,
                    "another reading in this batch has the same id");
            return;
        }
        for (int i = 0; i < f.sampleCount; i++) {
            double raw = f.samples[i];
            if (Double.isNaN(raw)) {
                continue; // a gap in the series
            }
            String sampleId = id + "#" + i;
            double v = quantity(index, sampleId, type, f.unit, raw, rejections);
            if (!Double.isNaN(v)) {
                long t = first + intervalMicros * i;
                out.add(
                        new NormalizedReading(
                                type,
                                sampleId,
                                t,
                                t,
                                f.startOffset,
                                v,
                                Double.NaN,
                                attrs,
                                List.of()));
            }
        }
    }

    private boolean inWindow(
            int index,
            String id,
            long start,
            long end,
            long nowMicros,
            List<Rejection> rejections) {
        if (end > nowMicros + futureSkewMicros) {
            reject(
                    rejections,
                    index,
                    id,
                    RejectReason.TIME_IN_FUTURE,
                    "reading time is in the future");
            return false;
        }
        if (start < nowMicros - maxAgeMicros) {
            reject(
                    rejections,
                    index,
                    id,
                    RejectReason.TIME_TOO_OLD,
                    "reading is older than " + maxAgeMicros / 86_400_000_000L + " days");
            return false;
        }
        return true;
    }

    /**
     * Canonical value, or NaN after adding a rejection. Glucose keeps its unit and is checked in
     * mmol/L.
     */
    private static double quantity(
            int index,
            String id,
            ReadingType type,
            String unitSpelling,
            double raw,
            List<Rejection> rejections) {
        if (type == ReadingType.BLOOD_GLUCOSE) {
            GlucoseUnit unit = GlucoseUnit.ofSpelling(unitSpelling);
            if (unit == GlucoseUnit.NONE) {
                reject(
                        rejections,
                        index,
                        id,
                        unitSpelling == null
                                ? RejectReason.MISSING_FIELD
                                : RejectReason.UNIT_NOT_ACCEPTED,
                        "blood_glucose needs unit mg/dL or mmol/L (the value is kept in it)");
                return Double.NaN;
            }
            double mmol =
                    unit == GlucoseUnit.MG_PER_DL
                            ? raw / ReadingType.GLUCOSE_MG_DL_PER_MMOL_L
                            : raw;
            if (!inRange(mmol, type.min(), type.max())) {
                reject(
                        rejections,
                        index,
                        id,
                        RejectReason.IMPLAUSIBLE_VALUE,
                        "blood_glucose must be between 0 and 50 mmol/L (900 mg/dL)");
                return Double.NaN;
            }
            return raw;
        }
        Unit u = type.unit(unitSpelling);
        if (u == null) {
            rejectUnit(rejections, index, id, type);
            return Double.NaN;
        }
        double value = u.toCanonical(raw);
        if (!inRange(value, type.min(), type.max())) {
            reject(
                    rejections,
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
            reject(
                    rejections,
                    index,
                    id,
                    RejectReason.NOT_AN_INTEGER,
                    type.wireName() + " must be a whole number");
            return Double.NaN;
        }
        return value;
    }

    /** Packed attribute choices, or -1 after adding a rejection. */
    private static int attributes(
            int index, String id, ReadingType type, ReadingFields f, List<Rejection> rejections) {
        List<Attribute> defs = type.attributes();
        int attrs = 0;
        boolean any = false;
        for (int k = 0; k < defs.size(); k++) {
            Attribute a = defs.get(k);
            int choice;
            if (a == Attributes.GLUCOSE_UNIT) {
                choice = GlucoseUnit.ofSpelling(f.unit).storedCode();
            } else {
                String wire = f.extra(a.wireField());
                if (wire == null) {
                    if (a.required()) {
                        reject(
                                rejections,
                                index,
                                id,
                                RejectReason.MISSING_FIELD,
                                type.wireName() + " needs " + a.wireField());
                        return -1;
                    }
                    continue;
                }
                if (ReadingFields.isNotText(wire)) {
                    reject(
                            rejections,
                            index,
                            id,
                            RejectReason.WRONG_TYPE,
                            a.wireField()
                                    + (a.placement() == Attribute.Placement.COMPONENT_BOOLEAN
                                            ? " must be true or false"
                                            : " must be a string"));
                    return -1;
                }
                int i = a.indexOf(wire);
                if (i < 0) {
                    reject(
                            rejections,
                            index,
                            id,
                            RejectReason.INVALID_CHOICE,
                            a.wireField() + " must be one of " + a.wireNames());
                    return -1;
                }
                choice = i + 1;
                any = true;
            }
            attrs |= choice << (8 * k);
        }
        if (type.needsAnAttribute() && !any) {
            StringBuilder names = new StringBuilder();
            for (Attribute a : defs) {
                names.append(names.length() == 0 ? "" : ", ").append(a.wireField());
            }
            reject(
                    rejections,
                    index,
                    id,
                    RejectReason.MISSING_FIELD,
                    type.wireName() + " needs at least one of " + names);
            return -1;
        }
        return attrs;
    }

    /** Checked stages sorted by start, or null after adding a rejection. */
    private static List<SleepStage> stages(
            int index,
            String id,
            ReadingFields f,
            long start,
            long end,
            List<Rejection> rejections) {
        if (f.stagesMalformed) {
            reject(
                    rejections,
                    index,
                    id,
                    RejectReason.INVALID_STAGES,
                    "each stage needs stage, start and end (ISO 8601 with offset)");
            return null;
        }
        if (f.stageCount == 0) {
            return List.of();
        }
        List<SleepStage> stages = new ArrayList<>(f.stageCount);
        for (int i = 0; i < f.stageCount; i++) {
            SleepStageKind kind = SleepStageKind.ofWire(f.stageKinds[i]);
            if (kind == null) {
                reject(
                        rejections,
                        index,
                        id,
                        RejectReason.INVALID_CHOICE,
                        "stage must be one of " + SleepStageKind.wireNames());
                return null;
            }
            long s = f.stageStarts[i];
            long e = f.stageEnds[i];
            if (e <= s || s < start || e > end) {
                reject(
                        rejections,
                        index,
                        id,
                        RejectReason.INVALID_STAGES,
                        "each stage must end after it starts and lie within the session");
                return null;
            }
            stages.add(new SleepStage(kind, s, e));
        }
        stages.sort(Comparator.comparingLong(SleepStage::startMicros));
        for (int i = 1; i < stages.size(); i++) {
            if (stages.get(i).startMicros() < stages.get(i - 1).endMicros()) {
                reject(
                        rejections,
                        index,
                        id,
                        RejectReason.INVALID_STAGES,
                        "stages must not overlap");
                return null;
            }
        }
        return List.copyOf(stages);
    }

    /** Minutes asleep: the asleep stages, or the whole session when it has no stages. */
    static double asleepMinutes(List<SleepStage> stages, long start, long end) {
        if (stages.isEmpty()) {
            return (end - start) / (double) MICROS_PER_MINUTE;
        }
        long asleep = 0;
        for (SleepStage s : stages) {
            if (s.kind().asleep()) {
                asleep += s.endMicros() - s.startMicros();
            }
        }
        return asleep / (double) MICROS_PER_MINUTE;
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static boolean inRange(double v, double min, double max) {
        return v >= min && v <= max; // false for NaN and infinities
    }

    private static void rejectUnit(
            List<Rejection> rejections, int index, String id, ReadingType type) {
        StringBuilder sb = new StringBuilder();
        for (Unit u : type.units()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(u.spelling());
        }
        reject(
                rejections,
                index,
                id,
                RejectReason.UNIT_NOT_ACCEPTED,
                "unit is not accepted for " + type.wireName() + "; use " + sb);
    }

    private static void reject(
            List<Rejection> rejections, int index, String id, RejectReason reason, String message) {
        rejections.add(new Rejection(index, id, reason, message));
    }
}
