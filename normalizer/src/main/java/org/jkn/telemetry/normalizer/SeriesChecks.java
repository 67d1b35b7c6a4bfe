package org.jkn.telemetry.normalizer;

import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.normalizer.catalog.Shape;

/**
 * Slow path: a dense series of samples at a fixed interval, one reading per sample ({@code id#n}).
 * The series as a whole passes the time, window and attribute checks once; each sample then passes
 * the value checks on its own, and a sample that fails is rejected alone.
 *
 * <p>One per batch, made by {@link ReadingChecker}; not thread-safe.
 */
final class SeriesChecks {

    /** Samples in one dense series: a day at 1 Hz. */
    static final int MAX_SAMPLES = 86_400;

    private final ReadingOutcomes outcomes;
    private final TimeChecks times;
    private final AttributeChecks attributes;
    private final ValueChecks values;

    SeriesChecks(
            ReadingOutcomes outcomes,
            TimeChecks times,
            AttributeChecks attributes,
            ValueChecks values) {
        this.outcomes = outcomes;
        this.times = times;
        this.attributes = attributes;
        this.values = values;
    }

    void checkSeries(int index, String id, ReadingType type, ReadingFields f) {
        long intervalMicros = seriesInterval(index, id, type, f);
        if (intervalMicros < 0) {
            return;
        }
        long first = f.startMicros;
        long last = first + intervalMicros * (f.sampleCount - 1);
        if (!times.inWindow(index, id, first, last)) {
            return;
        }
        int attrs = attributes.attributes(index, id, type, f);
        if (attrs < 0) {
            return;
        }
        if (!outcomes.claimId(index, id)) {
            return;
        }
        for (int i = 0; i < f.sampleCount; i++) {
            double raw = f.samples[i];
            if (Double.isNaN(raw)) {
                continue; // a gap in the series
            }
            String sampleId = id + "#" + i;
            double v = values.quantity(index, sampleId, type, f.unit, raw);
            if (!Double.isNaN(v)) {
                outcomes.addSample(
                        type, sampleId, first + intervalMicros * i, f.startOffset, v, attrs);
            }
        }
    }

    /**
     * The interval of a series in microseconds, once its type, start, interval and sample count are
     * valid; -1 after a rejection.
     */
    private long seriesInterval(int index, String id, ReadingType type, ReadingFields f) {
        if (type.shape() != Shape.INSTANT_QUANTITY) {
            outcomes.reject(
                    index,
                    id,
                    RejectReason.INVALID_SERIES,
                    type.wireName() + " cannot be sent as a series of values");
            return -1;
        }
        if (f.startState != ReadingFields.PRESENT || !f.hasInterval) {
            outcomes.reject(
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
            outcomes.reject(
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
}
