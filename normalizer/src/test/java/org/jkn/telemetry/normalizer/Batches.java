package org.jkn.telemetry.normalizer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Test batches around the documented example. */
final class Batches {

    static final String NIK = "3171011508850001";
    static final byte[] KEY =
            "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** 2026-11-22T12:00:00Z: the example readings are a few hours old. */
    static final long NOW = Instant.parse("2026-11-22T12:00:00Z").getEpochSecond() * 1_000_000L;

    static final String EXAMPLE =
            """
            {
              "patient": "3171011508850001",
              "device": {"id": "watch-7f3a", "manufacturer": "Acme", "model": "Band 5"},
              "readings": [
                {"id": "a1", "type": "heart_rate", "time": "2026-11-22T08:00:00+07:00", "value": 72, "unit": "/min"},
                {"id": "a2", "type": "steps", "start": "2026-11-22T08:00:00+07:00", "end": "2026-11-22T09:00:00+07:00", "value": 1200},
                {"id": "a3", "type": "blood_pressure", "time": "2026-11-22T08:05:00+07:00", "systolic": 121, "diastolic": 79, "unit": "mm[Hg]"},
                {"id": "a4", "type": "oxygen_saturation", "time": "2026-11-22T08:05:00+07:00", "value": 97, "unit": "%"}
              ]
            }
            """;

    private Batches() {}

    /** A batch with the example envelope and the given readings (JSON array elements). */
    static String withReadings(String... readings) {
        return "{\"patient\":\""
                + NIK
                + "\",\"device\":{\"id\":\"watch-7f3a\"},\"readings\":["
                + String.join(",", readings)
                + "]}";
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
