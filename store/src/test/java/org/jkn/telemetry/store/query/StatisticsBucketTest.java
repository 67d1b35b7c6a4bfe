package org.jkn.telemetry.store.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The one-pass statistics against a naive computation (sort, two passes) over random data; the seed
 * is printed so a failure can be replayed.
 */
class StatisticsBucketTest {

    private static final double[] PERCENTILES = {0, 0.2, 0.25, 0.4, 0.5, 0.6, 0.75, 0.8, 1};

    @Test
    void matchesANaiveComputationOnRandomData() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        String replay = "seed " + seed;
        for (int round = 0; round < 500; round++) {
            int n = 1 + random.nextInt(round < 100 ? 10 : 5000);
            double[] values = new double[n];
            boolean integers = random.nextBoolean();
            for (int i = 0; i < n; i++) {
                // heart-rate-like integers (many ties) or spread-out decimals around an offset
                values[i] =
                        integers ? 40 + random.nextInt(160) : 1e4 + random.nextDouble(-500, 500);
            }
            StatisticsBucket b = new StatisticsBucket(true);
            for (double v : values) {
                b.add(v);
            }
            check(values, b, replay);
        }
    }

    private static void check(double[] values, StatisticsBucket b, String replay) {
        int n = values.length;
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        double mean = sum / n;
        double squares = 0;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
        }
        double tolerance = 1e-9 * Math.max(1, Math.abs(mean));
        assertEquals(n, b.count(), replay);
        assertEquals(sum, b.sum(), 1e-9 * Math.abs(sum), replay);
        assertEquals(sorted[0], b.minimum(), replay);
        assertEquals(sorted[n - 1], b.maximum(), replay);
        assertEquals(mean, b.average(), tolerance, replay);
        assertEquals(squares / n, b.variance(), 1e-7 * Math.max(1, squares / n), replay);
        assertEquals(Math.sqrt(squares / n), b.standardDeviation(), 1e-7, replay);
        for (double p : PERCENTILES) {
            double expected = naivePercentile(sorted, p);
            // the first percentile of a bucket is selected, the next ones read from a sort
            StatisticsBucket fresh = new StatisticsBucket(true);
            for (double v : values) {
                fresh.add(v);
            }
            assertEquals(expected, fresh.percentile(p), tolerance, replay + " selected p" + p);
            assertEquals(expected, b.percentile(p), tolerance, replay + " p" + p);
        }
    }

    /** R-7 by its textbook statement: 1-based rank 1 + (n - 1) p, interpolated. */
    private static double naivePercentile(double[] sorted, double p) {
        double rank = 1 + (sorted.length - 1) * p;
        int below = (int) Math.floor(rank);
        double fraction = rank - below;
        double low = sorted[below - 1];
        double high = below < sorted.length ? sorted[below] : low;
        return low + fraction * (high - low);
    }

    @Test
    void knownValuesGiveTheTextbookAnswers() {
        StatisticsBucket b = new StatisticsBucket(true);
        for (double v : new double[] {60, 62, 64, 66, 68, 70, 72, 74, 76, 78}) {
            b.add(v);
        }
        assertEquals(690, b.sum());
        assertEquals(69, b.average());
        assertEquals(69, b.percentile(0.5), "the mean of the two middle values");
        assertEquals(33, b.variance(), 1e-12, "population variance");
        assertEquals(63.6, b.percentile(0.2), 1e-12);
        assertEquals(74.4, b.percentile(0.8), 1e-12);
        assertEquals(64.5, b.percentile(0.25), 1e-12);
        assertEquals(73.5, b.percentile(0.75), 1e-12);
    }

    @Test
    void oneValueIsItsOwnEveryStatistic() {
        StatisticsBucket b = new StatisticsBucket(true);
        b.add(72);
        assertEquals(72, b.percentile(0.8));
        assertEquals(72, b.percentile(0.5));
        assertEquals(0, b.standardDeviation());
    }

    @Test
    void orderStatisticsNeedTheValuesKept() {
        StatisticsBucket b = new StatisticsBucket(false);
        b.add(1);
        assertEquals(1, b.maximum());
        assertThrows(IllegalStateException.class, () -> b.percentile(0.5));
    }
}
