package org.jkn.telemetry.store.query;

import java.util.Arrays;

/**
 * The statistics of one bucket of values, accumulated in one pass: count, sum, minimum, maximum,
 * and mean and variance by Welford's update (stable where the textbook sum of squares cancels).
 * When the order statistics are wanted the values are kept in a primitive array, sorted once by
 * {@link #finish()}, so median and percentiles are exact.
 *
 * <p>Definitions: variance and standard deviation are the population ones (divided by the count):
 * the readings of the period are all of the period, not a sample of it. A percentile interpolates
 * linearly between the two closest ranks (Hyndman and Fan's definition 7, as R, NumPy and
 * spreadsheets' PERCENTILE.INC do): rank {@code h = (n - 1) p}, value {@code x[floor h] + (h -
 * floor h) (x[floor h + 1] - x[floor h])}; the median is {@code p = 0.5}.
 *
 * <p>Not thread-safe.
 */
public final class StatisticsBucket {

    private final boolean keep;
    private long count;
    private double sum;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;
    private double mean;
    private double squares;
    private double[] values;
    private boolean sorted;

    public StatisticsBucket(boolean keepValues) {
        this.keep = keepValues;
        this.values = keepValues ? new double[16] : null;
    }

    public void add(double v) {
        if (keep) {
            if (count == values.length) {
                values = Arrays.copyOf(values, values.length * 2);
            }
            values[(int) count] = v;
            sorted = false;
        }
        count++;
        sum += v;
        min = Math.min(min, v);
        max = Math.max(max, v);
        double delta = v - mean;
        mean += delta / count;
        squares += delta * (v - mean);
    }

    /** Sorts the kept values; call once all are added, before {@link #percentile}. */
    public void finish() {
        if (keep && !sorted) {
            Arrays.sort(values, 0, (int) count);
            sorted = true;
        }
    }

    public long count() {
        return count;
    }

    public double sum() {
        return sum;
    }

    public double minimum() {
        return min;
    }

    public double maximum() {
        return max;
    }

    public double average() {
        return sum / count;
    }

    public double variance() {
        return squares / count;
    }

    public double standardDeviation() {
        return Math.sqrt(variance());
    }

    /** The {@code p} quantile ({@code 0 <= p <= 1}) of the values; needs them kept and sorted. */
    public double percentile(double p) {
        if (!keep || !sorted) {
            throw new IllegalStateException("the values were not kept, or not finished");
        }
        double h = (count - 1) * p;
        int low = (int) Math.floor(h);
        if (low + 1 >= count) {
            return values[(int) count - 1];
        }
        return values[low] + (h - low) * (values[low + 1] - values[low]);
    }
}
