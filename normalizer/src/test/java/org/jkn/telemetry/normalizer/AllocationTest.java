package org.jkn.telemetry.normalizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.junit.jupiter.api.Test;

/**
 * Allocation regressions are test failures, not benchmark surprises: the bytes allocated per
 * reading on the hot path are bounded (JMH measured about 590 B for heart rate, 150 B per sample of
 * a dense series; the bounds leave room for JIT variation, not for a DateTimeFormatter).
 */
class AllocationTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final BatchNormalizer normalizer =
            new BatchNormalizer(new Pseudonymizer(Batches.KEY), NormalizerLimits.DEFAULTS);

    private long bytesPerReading(byte[] body, int readings) {
        for (int i = 0;
                i < 2_000;
                i++) { // warm up so the JIT's escape analysis applies, as in production
            normalizer.normalize(body, Batches.NOW);
        }
        long id = Thread.currentThread().getId();
        int rounds = 200;
        long before = THREADS.getThreadAllocatedBytes(id);
        for (int i = 0; i < rounds; i++) {
            assertEquals(readings, normalizer.normalize(body, Batches.NOW).readings().size());
        }
        return (THREADS.getThreadAllocatedBytes(id) - before) / ((long) rounds * readings);
    }

    @Test
    void heartRateReadingsAllocateLessThanAKilobyteEach() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            sb.append(i == 0 ? "" : ",")
                    .append("{\"id\":\"h")
                    .append(i)
                    .append("\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:")
                    .append(String.format("%02d:%02d", i / 60, i % 60))
                    .append("+07:00\",\"value\":72,\"unit\":\"bpm\"}");
        }
        long perReading = bytesPerReading(Batches.bytes(Batches.withReadings(sb.toString())), 500);
        assertTrue(THREADS.isThreadAllocatedMemorySupported());
        assertTrue(perReading < 1024, perReading + " bytes per reading");
    }

    @Test
    void denseSeriesSamplesAllocateLessThanThreeHundredBytesEach() {
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < 3600; i++) {
            values.append(i == 0 ? "" : ",").append(60 + i % 40);
        }
        byte[] body =
                ("{\"patient\":\"3171011508850001\",\"device\":{\"id\":\"w\"},\"readings\":[{\"id\":\"s\",\"type\":\"heart_rate\","
                                + "\"start\":\"2026-11-22T08:00:00+07:00\",\"interval\":1,\"values\":["
                                + values
                                + "]}]}")
                        .getBytes(StandardCharsets.UTF_8);
        long perSample = bytesPerReading(body, 3600);
        assertTrue(perSample < 300, perSample + " bytes per sample");
    }
}
