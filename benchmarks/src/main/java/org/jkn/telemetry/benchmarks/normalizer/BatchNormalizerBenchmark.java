package org.jkn.telemetry.benchmarks.normalizer;

import org.jkn.telemetry.benchmarks.BenchmarkBase;
import org.jkn.telemetry.normalizer.BatchNormalizer;
import org.jkn.telemetry.normalizer.NormalizedBatch;
import org.jkn.telemetry.normalizer.NormalizerLimits;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The normalizer (parse, check, convert, map, pseudonymise) on HTTP batches of 1,000 readings: one
 * type at a time and the daily mix. Scores are readings per second (1,000 per invocation), so the
 * per-batch envelope cost is included, as in production.
 */
@State(Scope.Benchmark)
public class BatchNormalizerBenchmark extends BenchmarkBase {

    static final int READINGS = 1000;

    @Param({
        "mixed",
        "heart_rate",
        "steps",
        "blood_pressure",
        "blood_glucose",
        "cervical_mucus",
        "sleep_session"
    })
    public String type;

    private BatchNormalizer normalizer;
    private byte[] body;

    @Setup
    public void setUp() {
        normalizer = new BatchNormalizer(new Pseudonymizer(Batches.KEY), NormalizerLimits.DEFAULTS);
        body =
                type.equals("mixed")
                        ? Batches.batch(READINGS, Batches.mixed())
                        : Batches.batch(READINGS, type);
        NormalizedBatch check = normalizer.normalize(body, Batches.NOW_MICROS);
        if (check.error() != null || check.readings().size() != READINGS) {
            throw new IllegalStateException(
                    "benchmark batch does not normalize cleanly: "
                            + check.errorMessage()
                            + " "
                            + check.rejections());
        }
    }

    @Benchmark
    @OperationsPerInvocation(READINGS)
    public NormalizedBatch normalize() {
        return normalizer.normalize(body, Batches.NOW_MICROS);
    }
}
