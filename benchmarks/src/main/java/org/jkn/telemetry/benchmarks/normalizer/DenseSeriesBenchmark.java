package org.jkn.telemetry.benchmarks.normalizer;

import org.jkn.telemetry.benchmarks.BenchmarkBase;
import org.jkn.telemetry.normalizer.BatchNormalizer;
import org.jkn.telemetry.normalizer.NormalizedBatch;
import org.jkn.telemetry.normalizer.NormalizerLimits;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The compact path: one hour of heart rate at 1 Hz as one series. Scores are samples (readings) per
 * second.
 */
@State(Scope.Benchmark)
public class DenseSeriesBenchmark extends BenchmarkBase {

    static final int SAMPLES = 3600;

    private BatchNormalizer normalizer;
    private byte[] body;

    @Setup
    public void setUp() {
        normalizer = new BatchNormalizer(new Pseudonymizer(Batches.KEY), NormalizerLimits.DEFAULTS);
        body = Batches.heartRateSeries(SAMPLES);
        NormalizedBatch check = normalizer.normalize(body, Batches.NOW_MICROS);
        if (check.error() != null || check.readings().size() != SAMPLES) {
            throw new IllegalStateException(
                    "series does not normalize cleanly: "
                            + check.errorMessage()
                            + " "
                            + check.rejections());
        }
    }

    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public NormalizedBatch normalizeSeries() {
        return normalizer.normalize(body, Batches.NOW_MICROS);
    }
}
