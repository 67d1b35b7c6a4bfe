package org.jkn.telemetry.normalizer;

import java.util.List;
import org.jkn.telemetry.normalizer.catalog.ReadingType;

/**
 * Checks a batch's readings one at a time and, when a reading passes, converts it to {@link
 * NormalizedReading}s (several for a dense series). Every failure becomes a {@link Rejection} with
 * a stable reason. This is the entry point: it checks what every reading needs (id, type, time,
 * window, attributes) and hands the rest to the check of the reading's shape ({@link ValueChecks},
 * {@link SleepSessionChecks}, {@link SeriesChecks}); all of them end in {@link ReadingOutcomes}.
 *
 * <p>One per batch, made by the normalizer call that owns the batch's result lists and field
 * holder; the checks it is made of are made with it and reused for every reading of the batch. Not
 * thread-safe.
 */
final class ReadingChecker {

    private final ReadingOutcomes outcomes;
    private final TimeChecks times;
    private final AttributeChecks attributes;
    private final ValueChecks values;
    private final SleepSessionChecks sleepSessions;
    private final SeriesChecks series;

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
        this.outcomes = new ReadingOutcomes(out, rejections);
        this.times = new TimeChecks(limits, nowMicros, outcomes);
        this.attributes = new AttributeChecks(outcomes);
        this.values = new ValueChecks(outcomes);
        this.sleepSessions = new SleepSessionChecks(outcomes);
        this.series = new SeriesChecks(outcomes, times, attributes, values);
    }

    /** Checks the reading at {@code index} of the batch, read into {@code f}. */
    void check(int index, ReadingFields f) {
        ReadingType type = knownType(index, f);
        if (type == null) {
            return;
        }
        String id = f.id;
        if (f.hasSamples) {
            series.checkSeries(index, id, type, f);
            return;
        }
        // fast path: one reading
        boolean period = type.shape().isPeriod();
        if (period
                ? !times.periodIsValid(index, id, type, f)
                : !times.timeIsValid(index, id, type, f)) {
            return;
        }
        long start = period ? f.startMicros : f.timeMicros;
        long end = period ? f.endMicros : f.timeMicros;
        int offset = period ? f.startOffset : f.timeOffset;
        if (!times.inWindow(index, id, start, end)) {
            return;
        }
        int attrs = attributes.attributes(index, id, type, f);
        if (attrs < 0) {
            return;
        }
        switch (type.shape()) {
            case INSTANT_QUANTITY, PERIOD_QUANTITY ->
                    values.checkQuantity(index, id, type, f, start, end, offset, attrs);
            case BLOOD_PRESSURE ->
                    values.checkBloodPressure(index, id, type, f, start, end, offset, attrs);
            case SLEEP_SESSION ->
                    sleepSessions.checkSleepSession(index, id, type, f, start, end, offset, attrs);
            case INSTANT_CODED, PERIOD_CODED ->
                    values.checkCoded(index, id, type, start, end, offset, attrs);
        }
    }

    /**
     * The reading's type, once its id is valid and its fields have their JSON types; null after a
     * rejection.
     */
    private ReadingType knownType(int index, ReadingFields f) {
        if (f.id == null) {
            outcomes.reject(index, null, RejectReason.MISSING_FIELD, "id is required");
            return null;
        }
        if (!BatchNormalizer.isValidId(f.id)) {
            outcomes.reject(
                    index,
                    null,
                    RejectReason.INVALID_ID,
                    "id must be 1-64 characters of letters, digits and . _ : -");
            return null;
        }
        if (f.wrongField != null) {
            outcomes.reject(
                    index,
                    f.id,
                    RejectReason.WRONG_TYPE,
                    f.wrongField + " must be " + f.wrongFieldExpected);
            return null;
        }
        if (f.type == null) {
            outcomes.reject(index, f.id, RejectReason.MISSING_FIELD, "type is required");
            return null;
        }
        ReadingType type = ReadingType.ofWireName(f.type);
        if (type == null) {
            outcomes.reject(
                    index, f.id, RejectReason.UNKNOWN_TYPE, "type is not a known reading type");
        }
        return type;
    }
}
