package org.jkn.telemetry.normalizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
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
 * Checks a batch's readings one at a time and, when a reading passes, converts it to {@link
 * NormalizedReading}s (several for a dense series). Every failure becomes a {@link Rejection} with
 * a stable reason. Each shape of reading has its own check; all of them end in {@link #add}.
 *
 * <p>One per batch, made by the normalizer call that owns the batch's result lists and field
 * holder; not thread-safe.
 */
final class ReadingChecker {

    /** Samples in one dense series: a day at 1 Hz. */
    static final int MAX_SAMPLES = 86_400;

    private static final long MICROS_PER_MINUTE = 60_000_000L;

    private static final String TIME_EXAMPLE = "2026-11-22T08:00:00+07:00";

    private final long futureSkewMicros;
    private final long maxAgeMicros;
    private final long maxPeriodMicros;
    private final long nowMicros;
    private final Set<String> seenIds = new HashSet<>();
    private final List<NormalizedReading> out;
    private final List<Rejection> rejections;

    /**
     * @param nowMicros the server clock used for the time checks
     * @param out where readings that pass are added
     * @param rejections where a rejection is added for each reading that fails
     */
    ReadingChecker(
            NormalizerLimits limits,
            long nowMicros,
            List<NormalizedReading> out,
            List<Rejection> rejections) {
        this.futureSkewMicros = limits.futureSkew().toNanos() / 1000;
        this.maxAgeMicros = limits.maxAge().toSeconds() * 1_000_000L;
        this.maxPeriodMicros = limits.maxPeriod().toSeconds() * 1_000_000L;
        this.nowMicros = nowMicros;
        this.out = out;
        this.rejections = rejections;
    }

    /** Checks the reading at {@code index} of the batch, read into {@code f}. */
    void check(int index, ReadingFields f) {
        ReadingType type = knownType(index, f);
        if (type == null) {
            return;
        }
        String id = f.id;
        if (f.hasSamples) {
            checkSeries(index, id, type, f);
            return;
        }
        // fast path: one reading
        boolean period = type.shape().isPeriod();
        if (period ? !periodIsValid(index, id, type, f) : !timeIsValid(index, id, type, f)) {
            return;
        }
        long start = period ? f.startMicros : f.timeMicros;
        long end = period ? f.endMicros : f.timeMicros;
        int offset = period ? f.startOffset : f.timeOffset;
        if (!inWindow(index, id, start, end)) {
            return;
        }
        int attrs = attributes(index, id, type, f);
        if (attrs < 0) {
            return;
        }
        switch (type.shape()) {
            case INSTANT_QUANTITY, PERIOD_QUANTITY ->
                    checkQuantity(index, id, type, f, start, end, offset, attrs);
            case BLOOD_PRESSURE ->
                    checkBloodPressure(index, id, type, f, start, end, offset, attrs);
            case SLEEP_SESSION -> checkSleepSession(index, id, type, f, start, end, offset, attrs);
            case INSTANT_CODED, PERIOD_CODED ->
                    checkCoded(index, id, type, start, end, offset, attrs);
        }
    }

    /**
     * The reading's type, once its id is valid and its fields have their JSON types; null after a
     * rejection.
     */
    private ReadingType knownType(int index, ReadingFields f) {
        if (f.id == null) {
            reject(index, null, RejectReason.MISSING_FIELD, "id is required");
            return null;
        }
        if (!BatchNormalizer.isValidId(f.id)) {
            reject(
                    index,
                    null,
                    RejectReason.INVALID_ID,
                    "id must be 1-64 characters of letters, digits and . _ : -");
            return null;
        }
        if (f.wrongField != null) {
            reject(
                    index,
                    f.id,
                    RejectReason.WRONG_TYPE,
                    f.wrongField + " must be " + f.wrongFieldExpected);
            return null;
        }
        if (f.type == null) {
            reject(index, f.id, RejectReason.MISSING_FIELD, "type is required");
            return null;
        }
        ReadingType type = ReadingType.ofWireName(f.type);
        if (type == null) {
            reject(index, f.id, RejectReason.UNKNOWN_TYPE, "type is not a known reading type");
        }
        return type;
    }

    /** Start and end of a period reading are given, valid, in order and not too far apart. */
    private boolean periodIsValid(int index, String id, ReadingType type, ReadingFields f) {
        if (f.startState == ReadingFields.ABSENT || f.endState == ReadingFields.ABSENT) {
            reject(index, id, RejectReason.MISSING_FIELD, type.wireName() + " needs start and end");
            return false;
        }
        if (f.startState == ReadingFields.INVALID || f.endState == ReadingFields.INVALID) {
            reject(
                    index,
                    id,
                    RejectReason.INVALID_TIME,
                    "start and end must be ISO 8601 date-times with a UTC offset, e.g. "
                            + TIME_EXAMPLE);
            return false;
        }
        if (f.endMicros < f.startMicros) {
            reject(index, id, RejectReason.END_BEFORE_START, "end is before start");
            return false;
        }
        if (f.endMicros - f.startMicros > maxPeriodMicros) {
            reject(
                    index,
                    id,
                    RejectReason.PERIOD_TOO_LONG,
                    "one reading may cover at most " + maxPeriodMicros / 86_400_000_000L + " days");
            return false;
        }
        return true;
    }

    /** The time of an instant reading is given and valid. */
    private boolean timeIsValid(int index, String id, ReadingType type, ReadingFields f) {
        if (f.timeState == ReadingFields.ABSENT) {
            reject(index, id, RejectReason.MISSING_FIELD, type.wireName() + " needs time");
            return false;
        }
        if (f.timeState == ReadingFields.INVALID) {
            reject(
                    index,
                    id,
                    RejectReason.INVALID_TIME,
                    "time must be an ISO 8601 date-time with a UTC offset, e.g. " + TIME_EXAMPLE);
            return false;
        }
        return true;
    }

    /** An instant or period quantity; an exercise without a value lasts from start to end. */
    private void checkQuantity(
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
            reject(index, id, RejectReason.MISSING_FIELD, type.wireName() + " needs value");
            return;
        }
        double value = quantity(index, id, type, f.unit, f.value);
        if (Double.isNaN(value)) {
            return;
        }
        if (type == ReadingType.EXERCISE
                && value * MICROS_PER_MINUTE > (end - start) + MICROS_PER_MINUTE) {
            reject(
                    index,
                    id,
                    RejectReason.IMPLAUSIBLE_VALUE,
                    "exercise lasts longer than its start to end");
            return;
        }
        add(index, id, type, start, end, offset, value, Double.NaN, attrs, List.of());
    }

    /** Systolic and diastolic, in one unit, each in its range, systolic the higher. */
    private void checkBloodPressure(
            int index,
            String id,
            ReadingType type,
            ReadingFields f,
            long start,
            long end,
            int offset,
            int attrs) {
        if (!f.hasSystolic || !f.hasDiastolic) {
            reject(
                    index,
                    id,
                    RejectReason.MISSING_FIELD,
                    "blood_pressure needs systolic and diastolic");
            return;
        }
        Unit u = type.unit(f.unit);
        if (u == null) {
            rejectUnit(index, id, type);
            return;
        }
        double systolic = u.toCanonical(f.systolic);
        double diastolic = u.toCanonical(f.diastolic);
        if (!inRange(systolic, type.min(), type.max())
                || !inRange(diastolic, ReadingType.DIASTOLIC_MIN, ReadingType.DIASTOLIC_MAX)) {
            reject(
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
            reject(index, id, RejectReason.IMPLAUSIBLE_VALUE, "systolic must be above diastolic");
            return;
        }
        add(index, id, type, start, end, offset, systolic, diastolic, attrs, List.of());
    }

    /** A sleep session: its stages, and the minutes asleep they add up to as the value. */
    private void checkSleepSession(
            int index,
            String id,
            ReadingType type,
            ReadingFields f,
            long start,
            long end,
            int offset,
            int attrs) {
        List<SleepStage> stages = stages(index, id, f, start, end);
        if (stages == null) {
            return;
        }
        double asleep = asleepMinutes(stages, start, end);
        if (!inRange(asleep, type.min(), type.max())) {
            reject(
                    index,
                    id,
                    RejectReason.IMPLAUSIBLE_VALUE,
                    "a sleep session has at most " + num(type.max()) + " minutes asleep");
            return;
        }
        add(index, id, type, start, end, offset, asleep, Double.NaN, attrs, stages);
    }

    /** A coded reading: its attributes, already checked, are its value. */
    private void checkCoded(
            int index, String id, ReadingType type, long start, long end, int offset, int attrs) {
        add(index, id, type, start, end, offset, Double.NaN, Double.NaN, attrs, List.of());
    }

    /** Adds a reading that passed its checks, unless an earlier one of the batch had its id. */
    private void add(
            int index,
            String id,
            ReadingType type,
            long start,
            long end,
            int offset,
            double value,
            double diastolic,
            int attrs,
            List<SleepStage> stages) {
        if (!seenIds.add(id)) {
            rejectDuplicate(index, id);
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
    private void checkSeries(int index, String id, ReadingType type, ReadingFields f) {
        long intervalMicros = seriesInterval(index, id, type, f);
        if (intervalMicros < 0) {
            return;
        }
        long first = f.startMicros;
        long last = first + intervalMicros * (f.sampleCount - 1);
        if (!inWindow(index, id, first, last)) {
            return;
        }
        int attrs = attributes(index, id, type, f);
        if (attrs < 0) {
            return;
        }
        if (!seenIds.add(id)) {
            rejectDuplicate(index, id);
            return;
        }
        for (int i = 0; i < f.sampleCount; i++) {
            double raw = f.samples[i];
            if (Double.isNaN(raw)) {
                continue; // a gap in the series
            }
            String sampleId = id + "#" + i;
            double v = quantity(index, sampleId, type, f.unit, raw);
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

    /**
     * The interval of a series in microseconds, once its type, start, interval and sample count are
     * valid; -1 after a rejection.
     */
    private long seriesInterval(int index, String id, ReadingType type, ReadingFields f) {
        if (type.shape() != Shape.INSTANT_QUANTITY) {
            reject(
                    index,
                    id,
                    RejectReason.INVALID_SERIES,
                    type.wireName() + " cannot be sent as a series of values");
            return -1;
        }
        if (f.startState != ReadingFields.PRESENT || !f.hasInterval) {
            reject(
                    index,
                    id,
                    f.startState == ReadingFields.INVALID
                            ? RejectReason.INVALID_TIME
                            : RejectReason.MISSING_FIELD,
                    "a series needs start (ISO 8601 with offset) and interval (seconds)");
            return -1;
        }
        // times are microseconds: a shorter interval would put every sample on one instant
        long intervalMicros = Math.round(f.interval * 1_000_000.0);
        if (!(f.interval > 0 && f.interval <= 86_400)
                || intervalMicros < 1
                || f.sampleCount == 0
                || f.sampleCount > MAX_SAMPLES) {
            reject(
                    index,
                    id,
                    RejectReason.INVALID_SERIES,
                    "a series has 1-"
                            + MAX_SAMPLES
                            + " values and an interval of 0.000001 to 86400 seconds");
            return -1;
        }
        return intervalMicros;
    }

    private boolean inWindow(int index, String id, long start, long end) {
        if (end > nowMicros + futureSkewMicros) {
            reject(index, id, RejectReason.TIME_IN_FUTURE, "reading time is in the future");
            return false;
        }
        if (start < nowMicros - maxAgeMicros) {
            reject(
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
    private double quantity(
            int index, String id, ReadingType type, String unitSpelling, double raw) {
        if (type == ReadingType.BLOOD_GLUCOSE) {
            return glucose(index, id, type, unitSpelling, raw);
        }
        Unit u = type.unit(unitSpelling);
        if (u == null) {
            rejectUnit(index, id, type);
            return Double.NaN;
        }
        double value = u.toCanonical(raw);
        if (!inRange(value, type.min(), type.max())) {
            reject(
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
            reject(
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
            reject(
                    index,
                    id,
                    RejectReason.IMPLAUSIBLE_VALUE,
                    "blood_glucose must be between 0 and 50 mmol/L (900 mg/dL)");
            return Double.NaN;
        }
        return raw;
    }

    /** Packed attribute choices, or -1 after adding a rejection. */
    private int attributes(int index, String id, ReadingType type, ReadingFields f) {
        List<Attribute> defs = type.attributes();
        int attrs = 0;
        boolean any = false;
        for (int k = 0; k < defs.size(); k++) {
            Attribute a = defs.get(k);
            int choice;
            if (a == Attributes.GLUCOSE_UNIT) {
                choice = GlucoseUnit.ofSpelling(f.unit).storedCode();
            } else {
                choice = choice(index, id, type, a, f.extra(a.wireField()));
                if (choice < 0) {
                    return -1;
                }
                any |= choice > 0;
            }
            attrs |= choice << (8 * k);
        }
        if (type.needsAnAttribute() && !any) {
            StringBuilder names = new StringBuilder();
            for (Attribute a : defs) {
                names.append(names.length() == 0 ? "" : ", ").append(a.wireField());
            }
            reject(
                    index,
                    id,
                    RejectReason.MISSING_FIELD,
                    type.wireName() + " needs at least one of " + names);
            return -1;
        }
        return attrs;
    }

    /**
     * The stored choice of one attribute sent as {@code wire} (index + 1), 0 when it is absent and
     * may be, -1 after adding a rejection.
     */
    private int choice(int index, String id, ReadingType type, Attribute a, String wire) {
        if (wire == null) {
            if (a.required()) {
                reject(
                        index,
                        id,
                        RejectReason.MISSING_FIELD,
                        type.wireName() + " needs " + a.wireField());
                return -1;
            }
            return 0;
        }
        if (ReadingFields.isNotText(wire)) {
            reject(
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
                    index,
                    id,
                    RejectReason.INVALID_CHOICE,
                    a.wireField() + " must be one of " + a.wireNames());
            return -1;
        }
        return i + 1;
    }

    /** Checked stages sorted by start, or null after adding a rejection. */
    private List<SleepStage> stages(int index, String id, ReadingFields f, long start, long end) {
        if (f.stagesMalformed) {
            reject(
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
                reject(index, id, RejectReason.INVALID_STAGES, "stages must not overlap");
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

    private void rejectUnit(int index, String id, ReadingType type) {
        StringBuilder sb = new StringBuilder();
        for (Unit u : type.units()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(u.spelling());
        }
        reject(
                index,
                id,
                RejectReason.UNIT_NOT_ACCEPTED,
                "unit is not accepted for " + type.wireName() + "; use " + sb);
    }

    private void rejectDuplicate(int index, String id) {
        reject(
                index,
                id,
                RejectReason.DUPLICATE_IN_BATCH,
                "another reading in this batch has the same id");
    }

    private void reject(int index, String id, RejectReason reason, String message) {
        rejections.add(new Rejection(index, id, reason, message));
    }
}
