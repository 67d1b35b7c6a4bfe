package org.jkn.telemetry.normalizer;

import static org.jkn.telemetry.normalizer.Batches.NOW;
import static org.jkn.telemetry.normalizer.Batches.bytes;
import static org.jkn.telemetry.normalizer.Batches.withReadings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BatchNormalizerTest {

    private final BatchNormalizer normalizer =
            new BatchNormalizer(new Pseudonymizer(Batches.KEY), NormalizerLimits.DEFAULTS);

    private NormalizedBatch normalize(String body) {
        return normalizer.normalize(bytes(body), NOW);
    }

    private RejectReason onlyRejection(String reading) {
        NormalizedBatch b = normalize(withReadings(reading));
        assertNull(b.error(), () -> "batch refused: " + b.errorMessage());
        assertEquals(0, b.readings().size(), "reading should have been rejected");
        assertEquals(1, b.rejections().size());
        return b.rejections().get(0).reason();
    }

    @Test
    void exampleBatchIsAcceptedWithCanonicalValuesAndTimes() {
        NormalizedBatch b = normalize(Batches.EXAMPLE);
        assertNull(b.error());
        assertEquals(4, b.readings().size());
        assertEquals(List.of(), b.rejections());
        assertEquals(new Pseudonymizer(Batches.KEY).patientId(Batches.NIK), b.patientId());
        assertEquals(new DeviceInfo("watch-7f3a", "Acme", "Band 5"), b.device());

        NormalizedReading hr = b.readings().get(0);
        assertEquals(ReadingType.HEART_RATE, hr.type());
        assertEquals("a1", hr.readingId());
        assertEquals(
                java.time.Instant.parse("2026-11-22T01:00:00Z").getEpochSecond() * 1_000_000L,
                hr.startMicros());
        assertEquals(hr.startMicros(), hr.endMicros());
        assertEquals(7 * 3600, hr.offsetSeconds());
        assertEquals(72.0, hr.value());

        NormalizedReading steps = b.readings().get(1);
        assertEquals(3600L * 1_000_000L, steps.endMicros() - steps.startMicros());
        assertEquals(1200.0, steps.value());

        NormalizedReading bp = b.readings().get(2);
        assertEquals(121.0, bp.value());
        assertEquals(79.0, bp.diastolic());
        assertEquals(97.0, b.readings().get(3).value());
    }

    @Test
    void patientNikNeverLeavesTheNormalizer() {
        NormalizedBatch b = normalize(Batches.EXAMPLE);
        assertFalse(b.patientId().contains(Batches.NIK));
        assertEquals(40, b.patientId().length());
    }

    @Test
    void badReadingDoesNotCostTheRestOfTheBatch() {
        NormalizedBatch b =
                normalize(
                        withReadings(
                                "{\"id\":\"ok1\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":60}",
                                "{\"id\":\"bad\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":9000}",
                                "\"not an object\"",
                                "{\"id\":\"ok2\",\"type\":\"oxygen_saturation\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":95.5}"));
        assertNull(b.error());
        assertEquals(
                List.of("ok1", "ok2"),
                b.readings().stream().map(NormalizedReading::readingId).toList());
        assertEquals(2, b.rejections().size());
        assertEquals(1, b.rejections().get(0).index());
        assertEquals("bad", b.rejections().get(0).readingId());
        assertEquals(RejectReason.IMPLAUSIBLE_VALUE, b.rejections().get(0).reason());
        assertEquals(2, b.rejections().get(1).index());
        assertEquals(RejectReason.NOT_AN_OBJECT, b.rejections().get(1).reason());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "no id | {\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":60} | MISSING_FIELD",
                "empty id | {\"id\":\"\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":60} | INVALID_ID",
                "id with spaces | {\"id\":\"a b\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":60} | INVALID_ID",
                "numeric id | {\"id\":7,\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":60} | MISSING_FIELD",
                "value as string | {\"id\":\"x\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":\"72\"} | WRONG_TYPE",
                "value as object | {\"id\":\"x\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":{\"v\":1}} | WRONG_TYPE",
                "time as number | {\"id\":\"x\",\"type\":\"heart_rate\",\"time\":1700000000,\"value\":60} | WRONG_TYPE",
                "type as array | {\"id\":\"x\",\"type\":[\"heart_rate\"],\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":60} | WRONG_TYPE",
                "no type | {\"id\":\"x\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":60} | MISSING_FIELD",
                "unknown type | {\"id\":\"x\",\"type\":\"mood\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":3} | UNKNOWN_TYPE",
                "type in another case | {\"id\":\"x\",\"type\":\"HEART_RATE\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":60} | UNKNOWN_TYPE",
                "no time | {\"id\":\"x\",\"type\":\"heart_rate\",\"value\":60} | MISSING_FIELD",
                "time without offset | {\"id\":\"x\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00\",\"value\":60} | INVALID_TIME",
                "impossible date | {\"id\":\"x\",\"type\":\"heart_rate\",\"time\":\"2026-02-30T08:00:00+07:00\",\"value\":60} | INVALID_TIME",
                "garbage time | {\"id\":\"x\",\"type\":\"heart_rate\",\"time\":\"yesterday\",\"value\":60} | INVALID_TIME",
                "far future | {\"id\":\"x\",\"type\":\"heart_rate\",\"time\":\"2099-01-01T00:00:00Z\",\"value\":60} | TIME_IN_FUTURE",
                "ten minutes ahead | {\"id\":\"x\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T12:10:00Z\",\"value\":60} | TIME_IN_FUTURE",
                "year 1900 | {\"id\":\"x\",\"type\":\"heart_rate\",\"time\":\"1900-01-01T00:00:00Z\",\"value\":60} | TIME_TOO_OLD",
                "steps without end | {\"id\":\"x\",\"type\":\"steps\",\"start\":\"2026-11-22T08:00:00+07:00\",\"value\":10} | MISSING_FIELD",
                "end before start | {\"id\":\"x\",\"type\":\"steps\",\"start\":\"2026-11-22T09:00:00+07:00\",\"end\":\"2026-11-22T08:00:00+07:00\",\"value\":10} | END_BEFORE_START",
                "period of months | {\"id\":\"x\",\"type\":\"steps\",\"start\":\"2026-06-01T00:00:00Z\",\"end\":\"2026-11-01T00:00:00Z\",\"value\":10} | PERIOD_TOO_LONG",
                "no value | {\"id\":\"x\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00+07:00\"} | MISSING_FIELD",
                "null value | {\"id\":\"x\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":null} | MISSING_FIELD",
                "heart rate 0 | {\"id\":\"x\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":0} | IMPLAUSIBLE_VALUE",
                "heart rate 301 | {\"id\":\"x\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":301} | IMPLAUSIBLE_VALUE",
                "negative steps | {\"id\":\"x\",\"type\":\"steps\",\"start\":\"2026-11-22T08:00:00+07:00\",\"end\":\"2026-11-22T09:00:00+07:00\",\"value\":-5} | IMPLAUSIBLE_VALUE",
                "fractional steps | {\"id\":\"x\",\"type\":\"steps\",\"start\":\"2026-11-22T08:00:00+07:00\",\"end\":\"2026-11-22T09:00:00+07:00\",\"value\":10.5} | NOT_AN_INTEGER",
                "huge number | {\"id\":\"x\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":1e308} | IMPLAUSIBLE_VALUE",
                "overflowing number | {\"id\":\"x\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":1e400} | IMPLAUSIBLE_VALUE",
                "SpO2 above 100 | {\"id\":\"x\",\"type\":\"oxygen_saturation\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":101} | IMPLAUSIBLE_VALUE",
                "SpO2 fraction above 1 | {\"id\":\"x\",\"type\":\"oxygen_saturation\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":97,\"unit\":\"1\"} | IMPLAUSIBLE_VALUE",
                "heart rate in kHz | {\"id\":\"x\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":1.2,\"unit\":\"kHz\"} | UNIT_NOT_ACCEPTED",
                "bp without diastolic | {\"id\":\"x\",\"type\":\"blood_pressure\",\"time\":\"2026-11-22T08:00:00+07:00\",\"systolic\":120} | MISSING_FIELD",
                "bp inverted | {\"id\":\"x\",\"type\":\"blood_pressure\",\"time\":\"2026-11-22T08:00:00+07:00\",\"systolic\":70,\"diastolic\":120} | IMPLAUSIBLE_VALUE",
                "bp systolic 250 | {\"id\":\"x\",\"type\":\"blood_pressure\",\"time\":\"2026-11-22T08:00:00+07:00\",\"systolic\":250,\"diastolic\":80} | IMPLAUSIBLE_VALUE",
            })
    void badReadingIsRejectedWithItsReason(String name, String reading, RejectReason expected) {
        assertEquals(expected, onlyRejection(reading), name);
    }

    @Test
    void unitsAreConvertedToUcum() {
        NormalizedBatch b =
                normalize(
                        withReadings(
                                "{\"id\":\"k\",\"type\":\"blood_pressure\",\"time\":\"2026-11-22T08:00:00+07:00\",\"systolic\":16,\"diastolic\":10.6,\"unit\":\"kPa\"}",
                                "{\"id\":\"m\",\"type\":\"blood_pressure\",\"time\":\"2026-11-22T08:00:00+07:00\",\"systolic\":120,\"diastolic\":80,\"unit\":\"mmHg\"}",
                                "{\"id\":\"b\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":61,\"unit\":\"bpm\"}"));
        assertEquals(3, b.readings().size(), () -> b.rejections().toString());
        assertEquals(120.0, b.readings().get(0).value(), 0.05);
        assertEquals(79.5, b.readings().get(0).diastolic(), 0.05);
        assertEquals(120.0, b.readings().get(1).value());
        assertEquals(61.0, b.readings().get(2).value());
    }

    @Test
    void rangeEdgesAreAccepted() {
        NormalizedBatch b =
                normalize(
                        withReadings(
                                "{\"id\":\"lo\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":1}",
                                "{\"id\":\"hi\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":300}",
                                "{\"id\":\"s0\",\"type\":\"steps\",\"start\":\"2026-11-22T08:00:00Z\",\"end\":\"2026-11-22T08:00:00Z\",\"value\":0}",
                                "{\"id\":\"o0\",\"type\":\"oxygen_saturation\",\"time\":\"2026-11-22T08:00:00Z\",\"value\":100}"));
        assertEquals(4, b.readings().size(), () -> b.rejections().toString());
    }

    @Test
    void sameIdTwiceInOneBatchKeepsTheFirst() {
        NormalizedBatch b =
                normalize(
                        withReadings(
                                "{\"id\":\"d\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":60}",
                                "{\"id\":\"d\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:01:00+07:00\",\"value\":61}"));
        assertEquals(1, b.readings().size());
        assertEquals(60.0, b.readings().get(0).value());
        assertEquals(RejectReason.DUPLICATE_IN_BATCH, b.rejections().get(0).reason());
    }

    @Test
    void unknownFieldsAreIgnoredSoTheFormatCanGrow() {
        NormalizedBatch b =
                normalize(
                        "{\"schema\":2,\"patient\":\"3171011508850001\",\"device\":{\"id\":\"w\",\"fw\":{\"v\":[1,2]}},"
                                + "\"readings\":[{\"id\":\"x\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00Z\",\"value\":60,\"confidence\":[0.9]}]}");
        assertNull(b.error());
        assertEquals(1, b.readings().size());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "empty body | '' | MALFORMED_JSON",
                "truncated | {\"patient\":\"3171011508850001\",\"readings\":[ | MALFORMED_JSON",
                "not JSON | patient=3171011508850001 | MALFORMED_JSON",
                "array root | [1,2,3] | NOT_A_BATCH",
                "string root | \"batch\" | NOT_A_BATCH",
                "trailing garbage | {\"patient\":\"3171011508850001\",\"device\":{\"id\":\"w\"},\"readings\":[]} xyz | MALFORMED_JSON",
                "duplicate key | {\"patient\":\"3171011508850001\",\"patient\":\"3171011508850002\",\"device\":{\"id\":\"w\"},\"readings\":[]} | MALFORMED_JSON",
                "no patient | {\"device\":{\"id\":\"w\"},\"readings\":[]} | PATIENT_MISSING",
                "short NIK | {\"patient\":\"31710115\",\"device\":{\"id\":\"w\"},\"readings\":[]} | PATIENT_INVALID",
                "NIK as number | {\"patient\":3171011508850001,\"device\":{\"id\":\"w\"},\"readings\":[]} | PATIENT_INVALID",
                "NIK with bad month | {\"patient\":\"3171011513850001\",\"device\":{\"id\":\"w\"},\"readings\":[]} | PATIENT_INVALID",
                "no device | {\"patient\":\"3171011508850001\",\"readings\":[]} | DEVICE_MISSING",
                "device as string | {\"patient\":\"3171011508850001\",\"device\":\"w\",\"readings\":[]} | DEVICE_INVALID",
                "device id with slash | {\"patient\":\"3171011508850001\",\"device\":{\"id\":\"../w\"},\"readings\":[]} | DEVICE_INVALID",
                "no readings | {\"patient\":\"3171011508850001\",\"device\":{\"id\":\"w\"}} | READINGS_MISSING",
                "readings as object | {\"patient\":\"3171011508850001\",\"device\":{\"id\":\"w\"},\"readings\":{}} | READINGS_MISSING",
            })
    void bodyThatIsNotABatchIsRefusedWhole(String name, String body, BatchError expected) {
        NormalizedBatch b = normalize(body);
        assertEquals(expected, b.error(), name);
        assertTrue(b.readings().isEmpty());
        assertFalse(b.errorMessage().isBlank());
    }

    @Test
    void errorMessagesNeverEchoTheBody() {
        NormalizedBatch b =
                normalize(
                        "{\"patient\":\"3171011508850001\",\"device\":{\"id\":\"w\"},\"readings\":[{\"id\":\"x\" \"value\":1}]}");
        assertEquals(BatchError.MALFORMED_JSON, b.error());
        assertFalse(b.errorMessage().contains("3171011508850001"), b.errorMessage());
    }

    @Test
    void deepNestingIsRefusedNotOverflowed() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        NormalizedBatch b =
                normalize(
                        "{\"patient\":\"3171011508850001\",\"device\":{\"id\":\"w\"},\"extra\":"
                                + deep
                                + ",\"readings\":[]}");
        assertEquals(BatchError.MALFORMED_JSON, b.error());
    }

    @Test
    void invalidUtf8IsMalformed() {
        byte[] body =
                bytes(
                        withReadings(
                                "{\"id\":\"x\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00Z\",\"value\":60}"));
        byte[] bad = new byte[body.length + 2];
        System.arraycopy(body, 0, bad, 0, 14);
        bad[14] = (byte) 0xC3;
        bad[15] = (byte) 0x28;
        System.arraycopy(body, 14, bad, 16, body.length - 14);
        NormalizedBatch b = normalizer.normalize(bad, NOW);
        assertEquals(BatchError.MALFORMED_JSON, b.error());
    }

    @Test
    void tooManyReadingsRefusesTheBatch() {
        BatchNormalizer small =
                new BatchNormalizer(
                        new Pseudonymizer(Batches.KEY),
                        new NormalizerLimits(
                                2,
                                NormalizerLimits.DEFAULTS.futureSkew(),
                                NormalizerLimits.DEFAULTS.maxAge(),
                                NormalizerLimits.DEFAULTS.maxPeriod()));
        String r =
                "{\"id\":\"%s\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00Z\",\"value\":60}";
        assertNull(
                small.normalize(bytes(withReadings(r.formatted("1"), r.formatted("2"))), NOW)
                        .error());
        assertEquals(
                BatchError.TOO_MANY_READINGS,
                small.normalize(
                                bytes(
                                        withReadings(
                                                r.formatted("1"),
                                                r.formatted("2"),
                                                r.formatted("3"))),
                                NOW)
                        .error());
    }
}
