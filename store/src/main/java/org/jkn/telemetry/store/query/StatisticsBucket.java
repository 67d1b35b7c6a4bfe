package org.jkn.telemetry.store.query;

import java.util.Arrays;
import org.jkn.telemetry.store.block.BlockReadings;

/**
 * The statistics of one bucket of values, accumulated in one pass: count, sum, minimum, maximum,
 * and the sums of the values and their squares shifted by the first value (so the variance does not
 * cancel when values sit far from zero, and no division is paid per value, as Welford's would).
 * When the order statistics are wanted the values are kept in a primitive array: the first
 * percentile asked selects its ranks in linear time (quickselect); a second one sorts the array
 * once, after which every percentile is read directly. Median and percentiles are exact.
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
    private int count;
    private double sum;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;
    private double shift;
    private double shifted;
    private double shiftedSquares;
    private double[] values;
    private boolean selected;
    private boolean sorted;

    public StatisticsBucket(boolean keepValues) {
        this.keep = keepValues;
        this.values = keepValues ? new double[64] : null;
    }

    public void add(double v) {
        if (count == 0) {
            shift = v;
        }
        if (keep) {
            if (count == values.length) {
                values = Arrays.copyOf(values, values.length * 2);
            }
            values[count] = v;
            sorted = false;
            selected = false;
        }
        count++;
        sum += v;
        // plain comparisons: Math.min and max pay for NaN (skipped before here) and -0.0
        if (v < min) {
            min = v;
        }
        if (v > max) {
            max = v;
        }
        double d = v - shift;
        shifted += d;
        shiftedSquares += d * d;
    }

    /**
     * Adds the values (or the diastolic values) of every reading of a block, NaN skipped: the same
     * as {@link #add} for each, with the sums kept in registers across the loop. Returns how many
     * were added.
     */
    int addAll(BlockReadings b, boolean diastolic) {
        int n = b.size();
        if (keep && count + n > values.length) {
            values = Arrays.copyOf(values, Math.max(count + n, values.length * 2));
        }
        int c = count;
        double total = sum;
        double lowest = min;
        double highest = max;
        double d1 = shifted;
        double d2 = shiftedSquares;
        for (int i = 0; i < n; i++) {
            double v = diastolic ? b.diastolic(i) : b.value(i);
            if (Double.isNaN(v)) {
                continue;
            }
            if (c == 0) {
                shift = v;
            }
            if (keep) {
                values[c] = v;
            }
            c++;
            total += v;
            if (v < lowest) {
                lowest = v;
            }
            if (v > highest) {
                highest = v;
            }
            double d = v - shift;
            d1 += d;
            d2 += d * d;
        }
        int added = c - count;
        if (added > 0) {
            sorted = false;
            selected = false;
        }
        count = c;
        sum = total;
        min = lowest;
        max = highest;
        shifted = d1;
        shiftedSquares = d2;
        return added;
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
        return Math.max(0, (shiftedSquares - shifted * shifted / count) / count);
    }

    public double standardDeviation() {
        return Math.sqrt(variance());
    }

    /** The {@code p} quantile ({@code 0 <= p <= 1}) of the values; needs them kept. */
    public double percentile(double p) {
        if (!keep || count == 0) {
            throw new IllegalStateException("the values were not kept, or there are none");
        }
        double h = (count - 1) * p;
        int low = (int) Math.floor(h);
        if (!sorted && selected) {
            Arrays.sort(values, 0, count);
            sorted = true;
        }
        double x0;
        double x1;
        if (sorted) {
            x0 = values[low];
            x1 = low + 1 < count ? values[low + 1] : x0;
        } else {
            selected = true;
            select(low);
            x0 = values[low];
            x1 = x0;
            if (low + 1 < count) {
                // after the selection every value past low is at least x0: the next rank is
                // their minimum
                x1 = values[low + 1];
                for (int i = low + 2; i < count; i++) {
                    x1 = Math.min(x1, values[i]);
                }
            }
        }
        return x0 + (h - low) * (x1 - x0);
    }

    /**
     * Hoare's quickselect: puts the {@code k}-th smallest value at {@code k}, the smaller ones
     * before it and the larger ones after it. Equal values stop both scans, so a bucket of many
     * equal values (heart rate repeats) still splits in the middle.
     */
    private void select(int k) {
        double[] a = values;
        int lo = 0;
        int hi = count - 1;
        while (hi > lo) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < a[lo]) {
                swap(a, lo, mid);
            }
            if (a[hi] < a[lo]) {
                swap(a, lo, hi);
            }
            if (a[hi] < a[mid]) {
                swap(a, mid, hi);
            }
            double pivot = a[mid];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    swap(a, i, j);
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return;
            }
        }
    }

    private static void swap(double[] a, int i, int j) {
        double t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
