package org.jkn.telemetry.store.query;

import org.jkn.telemetry.normalizer.catalog.ReadingType;

/**
 * The statistics of one series, per bucket ({@code null} where no reading fell), with the type and
 * attributes of the first reading counted: what the unit of the series is.
 */
public final class SeriesStatistics {

    private final ReadingSeries series;
    private final StatisticsBucket[] buckets;
    private ReadingType firstType;
    private int firstAttrs;

    SeriesStatistics(ReadingSeries series, int bucketCount) {
        this.series = series;
        this.buckets = new StatisticsBucket[bucketCount];
    }

    public ReadingSeries series() {
        return series;
    }

    /** Null when no reading was counted. */
    public ReadingType firstType() {
        return firstType;
    }

    public int firstAttrs() {
        return firstAttrs;
    }

    public int bucketCount() {
        return buckets.length;
    }

    /** The bucket's statistics, or null when it holds no reading. */
    public StatisticsBucket bucket(int k) {
        return buckets[k];
    }

    /**
     * The bucket, created on first use; the first reading's type and attributes are noted with the
     * first bucket.
     */
    StatisticsBucket bucketFor(int k, ReadingType type, int attrs, boolean keepValues) {
        StatisticsBucket b = buckets[k];
        if (b == null) {
            b = buckets[k] = new StatisticsBucket(keepValues);
        }
        if (firstType == null) {
            firstType = type;
            firstAttrs = attrs;
        }
        return b;
    }
}
