package org.jkn.telemetry.benchmarks.normalizer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.jkn.telemetry.benchmarks.BenchmarkBase;
import org.jkn.telemetry.normalizer.BatchNormalizer;
import org.jkn.telemetry.normalizer.NormalizedBatch;
import org.jkn.telemetry.normalizer.NormalizerLimits;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The normalizer on HTTP batches of mixed reading types: the example's four readings repeated
 * {@code groups} times. Scores are batches per second; readings per second = score x 4 x groups.
 * The per-batch cost (envelope, NIK pseudonym) is spread over larger batches.
 */
@State(Scope.Benchmark)
public class BatchNormalizerBenchmark extends BenchmarkBase {

    @Param({"1", "100", "1000"})
    public int groups;

    private static final int READINGS_PER_GROUP = 4;
    private BatchNormalizer normalizer;
    private byte[] body;
    private long now;

    @Setup
    public void setUp() {
        normalizer = new BatchNormalizer(new Pseudonymizer("bench-key-0123456789abcdef0123456789".getBytes(StandardCharsets.US_ASCII)),
                NormalizerLimits.DEFAULTS);
        now = Instant.parse("2026-11-22T12:00:00Z").getEpochSecond() * 1_000_000L;
        StringBuilder sb = new StringBuilder("{\"patient\":\"3171011508850001\",\"device\":{\"id\":\"watch-7f3a\",\"manufacturer\":\"Acme\",\"model\":\"Band 5\"},\"readings\":[");
        for (int i = 0; i < groups; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"id\":\"h").append(i).append("\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":72,\"unit\":\"/min\"},")
              .append("{\"id\":\"s").append(i).append("\",\"type\":\"steps\",\"start\":\"2026-11-22T08:00:00+07:00\",\"end\":\"2026-11-22T09:00:00+07:00\",\"value\":1200},")
              .append("{\"id\":\"b").append(i).append("\",\"type\":\"blood_pressure\",\"time\":\"2026-11-22T08:05:00+07:00\",\"systolic\":121,\"diastolic\":79,\"unit\":\"mm[Hg]\"},")
              .append("{\"id\":\"o").append(i).append("\",\"type\":\"oxygen_saturation\",\"time\":\"2026-11-22T08:05:00+07:00\",\"value\":97,\"unit\":\"%\"}");
        }
        body = sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        NormalizedBatch check = normalizer.normalize(body, now);
        if (check.error() != null || check.readings().size() != groups * READINGS_PER_GROUP) {
            throw new IllegalStateException("benchmark batch does not normalize cleanly: " + check.errorMessage() + " " + check.rejections());
        }
    }

    @Benchmark
    public NormalizedBatch normalizeBatch() {
        return normalizer.normalize(body, now);
    }
}
