package org.jkn.telemetry.store.query;

import java.util.List;

/**
 * A checked statistics query: of one patient, the readings that start in {@code [fromMicros,
 * toMicros)}, cut into buckets of {@code intervalMicros} from {@code fromMicros} (the last one ends
 * at {@code toMicros}), one result per series and bucket. {@code keepValues}: the order statistics
 * (median, percentiles) are wanted, so each bucket keeps its values.
 */
public record StatisticsQuery(
        String patientId,
        List<ReadingSeries> series,
        long fromMicros,
        long toMicros,
        long intervalMicros,
        boolean keepValues) {

    /** Enough for a month of hours or a year of days; more is a chart no screen shows. */
    public static final int MAX_BUCKETS = 1000;

    /**
     * What the order statistics may hold in memory for one request (8 bytes each): 46 days of 1 Hz
     * heart rate.
     */
    public static final long MAX_KEPT_VALUES = 4_000_000;

    public StatisticsQuery {
        series = List.copyOf(series);
        if (fromMicros >= toMicros || intervalMicros <= 0) {
            throw new IllegalArgumentException("an empty range or interval");
        }
        if ((toMicros - fromMicros - 1) / intervalMicros + 1 > MAX_BUCKETS) {
            throw new IllegalArgumentException("more than " + MAX_BUCKETS + " buckets");
        }
    }

    public int bucketCount() {
        return (int) ((toMicros - fromMicros - 1) / intervalMicros + 1);
    }

    public long bucketStart(int bucket) {
        return fromMicros + bucket * intervalMicros;
    }

    public long bucketEnd(int bucket) {
        return Math.min(toMicros, bucketStart(bucket) + intervalMicros);
    }
}
