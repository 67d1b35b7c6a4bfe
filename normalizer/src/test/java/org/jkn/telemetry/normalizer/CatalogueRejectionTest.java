package org.jkn.telemetry.normalizer;

import static org.jkn.telemetry.normalizer.Batches.NOW;
import static org.jkn.telemetry.normalizer.Batches.bytes;
import static org.jkn.telemetry.normalizer.Batches.withReadings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.StringJoiner;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Hostile and malformed input for the catalogue's fields: attributes, sleep stages, dense series,
 * glucose units and exercise length. Each bad reading is rejected with its stable reason and costs
 * nothing else in its batch.
 */
class CatalogueRejectionTest {

    private final BatchNormalizer normalizer =
            new BatchNormalizer(new Pseudonymizer(Batches.KEY), NormalizerLimits.DEFAULTS);

    private NormalizedBatch normalize(String... readings) {
        NormalizedBatch b = normalizer.normalize(bytes(withReadings(readings)), NOW);
        assertNull(b.error(), () -> "batch refused: " + b.errorMessage());
        return b;
    }

    private RejectReason onlyRejection(String reading) {
        NormalizedBatch b = normalize(reading);
        assertEquals(List.of(), b.readings(), "reading should have been rejected");
        assertEquals(1, b.rejections().size());
        return b.rejections().get(0).reason();
    }

    private NormalizedReading onlyReading(String reading) {
        NormalizedBatch b = normalize(reading);
        assertEquals(List.of(), b.rejections());
        assertEquals(1, b.readings().size());
        return b.readings().get(0);
    }

    private static final String SLEEP =
            "{\"id\":\"s\",\"type\":\"sleep_session\",\"start\":\"2026-11-22T00:00:00+07:00\","
                    + "\"end\":\"2026-11-22T06:00:00+07:00\",\"stages\":%s}";

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                // attributes
                "unknown appearance | {\"id\":\"x\",\"type\":\"cervical_mucus\",\"time\":\"2026-11-22T08:00:00+07:00\",\"appearance\":\"slimy\"} | INVALID_CHOICE",
                "appearance in upper case | {\"id\":\"x\",\"type\":\"cervical_mucus\",\"time\":\"2026-11-22T08:00:00+07:00\",\"appearance\":\"EGG_WHITE\"} | INVALID_CHOICE",
                "appearance unknown is not a value | {\"id\":\"x\",\"type\":\"cervical_mucus\",\"time\":\"2026-11-22T08:00:00+07:00\",\"appearance\":\"unknown\"} | INVALID_CHOICE",
                "mucus with neither field | {\"id\":\"x\",\"type\":\"cervical_mucus\",\"time\":\"2026-11-22T08:00:00+07:00\"} | MISSING_FIELD",
                "mucus with another type's field | {\"id\":\"x\",\"type\":\"cervical_mucus\",\"time\":\"2026-11-22T08:00:00+07:00\",\"flow\":\"heavy\"} | MISSING_FIELD",
                "cervix with no field | {\"id\":\"x\",\"type\":\"cervical_position\",\"time\":\"2026-11-22T08:00:00+07:00\"} | MISSING_FIELD",
                "cervix openness unknown | {\"id\":\"x\",\"type\":\"cervical_position\",\"time\":\"2026-11-22T08:00:00+07:00\",\"openness\":\"ajar\"} | INVALID_CHOICE",
                "flow without flow | {\"id\":\"x\",\"type\":\"menstruation_flow\",\"time\":\"2026-11-22T08:00:00+07:00\"} | MISSING_FIELD",
                "flow null | {\"id\":\"x\",\"type\":\"menstruation_flow\",\"time\":\"2026-11-22T08:00:00+07:00\",\"flow\":null} | MISSING_FIELD",
                "flow spotting | {\"id\":\"x\",\"type\":\"menstruation_flow\",\"time\":\"2026-11-22T08:00:00+07:00\",\"flow\":\"spotting\"} | INVALID_CHOICE",
                "ovulation without result | {\"id\":\"x\",\"type\":\"ovulation_test\",\"time\":\"2026-11-22T08:00:00+07:00\"} | MISSING_FIELD",
                "protection used as yes | {\"id\":\"x\",\"type\":\"sexual_activity\",\"time\":\"2026-11-22T08:00:00+07:00\",\"protection_used\":\"yes\"} | INVALID_CHOICE",
                "temperature site unknown | {\"id\":\"x\",\"type\":\"body_temperature\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":37,\"location\":\"eyeball\"} | INVALID_CHOICE",
                "bp site of a thermometer | {\"id\":\"x\",\"type\":\"blood_pressure\",\"time\":\"2026-11-22T08:00:00+07:00\",\"systolic\":120,\"diastolic\":80,\"location\":\"armpit\"} | INVALID_CHOICE",
                "bp position unknown | {\"id\":\"x\",\"type\":\"blood_pressure\",\"time\":\"2026-11-22T08:00:00+07:00\",\"systolic\":120,\"diastolic\":80,\"body_position\":\"upside_down\"} | INVALID_CHOICE",
                "glucose from tears | {\"id\":\"x\",\"type\":\"blood_glucose\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":5.4,\"unit\":\"mmol/L\",\"specimen\":\"tears\"} | INVALID_CHOICE",
                "glucose meal unknown | {\"id\":\"x\",\"type\":\"blood_glucose\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":5.4,\"unit\":\"mmol/L\",\"relation_to_meal\":\"brunch\"} | INVALID_CHOICE",
                "hrv method unknown | {\"id\":\"x\",\"type\":\"heart_rate_variability\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":40,\"method\":\"pnn50\"} | INVALID_CHOICE",
                // glucose unit
                "glucose without unit | {\"id\":\"x\",\"type\":\"blood_glucose\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":5.4} | MISSING_FIELD",
                "glucose in g/L | {\"id\":\"x\",\"type\":\"blood_glucose\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":0.9,\"unit\":\"g/L\"} | UNIT_NOT_ACCEPTED",
                "glucose negative | {\"id\":\"x\",\"type\":\"blood_glucose\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":-1,\"unit\":\"mg/dL\"} | IMPLAUSIBLE_VALUE",
                // exercise and lactation
                "exercise longer than its period | {\"id\":\"x\",\"type\":\"exercise\",\"start\":\"2026-11-22T08:00:00+07:00\",\"end\":\"2026-11-22T08:30:00+07:00\",\"value\":45} | IMPLAUSIBLE_VALUE",
                "exercise hours longer than its period | {\"id\":\"x\",\"type\":\"exercise\",\"start\":\"2026-11-22T08:00:00+07:00\",\"end\":\"2026-11-22T09:00:00+07:00\",\"value\":2,\"unit\":\"h\"} | IMPLAUSIBLE_VALUE",
                "exercise of two days | {\"id\":\"x\",\"type\":\"exercise\",\"start\":\"2026-11-20T08:00:00+07:00\",\"end\":\"2026-11-22T08:00:00+07:00\"} | IMPLAUSIBLE_VALUE",
                "lactation at an instant | {\"id\":\"x\",\"type\":\"lactation\",\"time\":\"2026-11-22T08:00:00+07:00\"} | MISSING_FIELD",
                // dense series
                "series interval 0 | {\"id\":\"x\",\"type\":\"heart_rate\",\"start\":\"2026-11-22T08:00:00+07:00\",\"interval\":0,\"values\":[60,61]} | INVALID_SERIES",
                "series interval negative | {\"id\":\"x\",\"type\":\"heart_rate\",\"start\":\"2026-11-22T08:00:00+07:00\",\"interval\":-1,\"values\":[60,61]} | INVALID_SERIES",
                "series interval over a day | {\"id\":\"x\",\"type\":\"heart_rate\",\"start\":\"2026-11-20T08:00:00+07:00\",\"interval\":86401,\"values\":[60,61]} | INVALID_SERIES",
                "series without start | {\"id\":\"x\",\"type\":\"heart_rate\",\"interval\":1,\"values\":[60,61]} | MISSING_FIELD",
                "series with time not start | {\"id\":\"x\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00+07:00\",\"interval\":1,\"values\":[60,61]} | MISSING_FIELD",
                "series without interval | {\"id\":\"x\",\"type\":\"heart_rate\",\"start\":\"2026-11-22T08:00:00+07:00\",\"values\":[60,61]} | MISSING_FIELD",
                "series start without offset | {\"id\":\"x\",\"type\":\"heart_rate\",\"start\":\"2026-11-22T08:00:00\",\"interval\":1,\"values\":[60,61]} | INVALID_TIME",
                "series with no values | {\"id\":\"x\",\"type\":\"heart_rate\",\"start\":\"2026-11-22T08:00:00+07:00\",\"interval\":1,\"values\":[]} | INVALID_SERIES",
                "series values as strings | {\"id\":\"x\",\"type\":\"heart_rate\",\"start\":\"2026-11-22T08:00:00+07:00\",\"interval\":1,\"values\":[\"60\"]} | WRONG_TYPE",
                "series values as object | {\"id\":\"x\",\"type\":\"heart_rate\",\"start\":\"2026-11-22T08:00:00+07:00\",\"interval\":1,\"values\":{\"0\":60}} | WRONG_TYPE",
                "series interval as string | {\"id\":\"x\",\"type\":\"heart_rate\",\"start\":\"2026-11-22T08:00:00+07:00\",\"interval\":\"1s\",\"values\":[60]} | WRONG_TYPE",
                "series of steps | {\"id\":\"x\",\"type\":\"steps\",\"start\":\"2026-11-22T08:00:00+07:00\",\"interval\":60,\"values\":[10,12]} | INVALID_SERIES",
                "series of blood pressure | {\"id\":\"x\",\"type\":\"blood_pressure\",\"start\":\"2026-11-22T08:00:00+07:00\",\"interval\":60,\"values\":[120]} | INVALID_SERIES",
                "series of sleep | {\"id\":\"x\",\"type\":\"sleep_session\",\"start\":\"2026-11-22T08:00:00+07:00\",\"interval\":60,\"values\":[1]} | INVALID_SERIES",
                "series of flow | {\"id\":\"x\",\"type\":\"menstruation_flow\",\"start\":\"2026-11-22T08:00:00+07:00\",\"interval\":60,\"values\":[1]} | INVALID_SERIES",
                "series running into the future | {\"id\":\"x\",\"type\":\"heart_rate\",\"start\":\"2026-11-22T11:00:00Z\",\"interval\":3600,\"values\":[60,61,62]} | TIME_IN_FUTURE",
                "series starting too long ago | {\"id\":\"x\",\"type\":\"heart_rate\",\"start\":\"2024-01-01T00:00:00Z\",\"interval\":1,\"values\":[60]} | TIME_TOO_OLD",
            })
    void hostileReadingIsRejectedWithItsReason(String name, String reading, RejectReason expected) {
        assertEquals(expected, onlyRejection(reading), name);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "overlapping | [{\"stage\":\"light\",\"start\":\"2026-11-22T00:00:00+07:00\",\"end\":\"2026-11-22T02:00:00+07:00\"},{\"stage\":\"deep\",\"start\":\"2026-11-22T01:59:00+07:00\",\"end\":\"2026-11-22T03:00:00+07:00\"}] | INVALID_STAGES",
                "overlapping out of order | [{\"stage\":\"deep\",\"start\":\"2026-11-22T03:00:00+07:00\",\"end\":\"2026-11-22T04:00:00+07:00\"},{\"stage\":\"light\",\"start\":\"2026-11-22T00:00:00+07:00\",\"end\":\"2026-11-22T05:00:00+07:00\"}] | INVALID_STAGES",
                "starting before the session | [{\"stage\":\"light\",\"start\":\"2026-11-21T23:59:00+07:00\",\"end\":\"2026-11-22T02:00:00+07:00\"}] | INVALID_STAGES",
                "ending after the session | [{\"stage\":\"rem\",\"start\":\"2026-11-22T05:00:00+07:00\",\"end\":\"2026-11-22T06:01:00+07:00\"}] | INVALID_STAGES",
                "ending before it starts | [{\"stage\":\"rem\",\"start\":\"2026-11-22T05:00:00+07:00\",\"end\":\"2026-11-22T04:00:00+07:00\"}] | INVALID_STAGES",
                "of no length | [{\"stage\":\"rem\",\"start\":\"2026-11-22T05:00:00+07:00\",\"end\":\"2026-11-22T05:00:00+07:00\"}] | INVALID_STAGES",
                "unknown stage | [{\"stage\":\"dreaming\",\"start\":\"2026-11-22T00:00:00+07:00\",\"end\":\"2026-11-22T01:00:00+07:00\"}] | INVALID_CHOICE",
                "stage in upper case | [{\"stage\":\"REM\",\"start\":\"2026-11-22T00:00:00+07:00\",\"end\":\"2026-11-22T01:00:00+07:00\"}] | INVALID_CHOICE",
                "stage without end | [{\"stage\":\"light\",\"start\":\"2026-11-22T00:00:00+07:00\"}] | INVALID_STAGES",
                "stage without kind | [{\"start\":\"2026-11-22T00:00:00+07:00\",\"end\":\"2026-11-22T01:00:00+07:00\"}] | INVALID_STAGES",
                "stage kind as number | [{\"stage\":4,\"start\":\"2026-11-22T00:00:00+07:00\",\"end\":\"2026-11-22T01:00:00+07:00\"}] | INVALID_STAGES",
                "stage time without offset | [{\"stage\":\"light\",\"start\":\"2026-11-22T00:00:00\",\"end\":\"2026-11-22T01:00:00+07:00\"}] | INVALID_STAGES",
                "stage time as epoch | [{\"stage\":\"light\",\"start\":1763744400,\"end\":\"2026-11-22T01:00:00+07:00\"}] | INVALID_STAGES",
                "stage as string | [\"light\"] | INVALID_STAGES",
                "stage as nested array | [[{\"stage\":\"light\"}]] | INVALID_STAGES",
                "stages as object | {\"stage\":\"light\",\"start\":\"2026-11-22T00:00:00+07:00\",\"end\":\"2026-11-22T01:00:00+07:00\"} | WRONG_TYPE",
            })
    void badSleepStagesAreRejected(String name, String stages, RejectReason expected) {
        assertEquals(expected, onlyRejection(SLEEP.formatted(stages)), name);
    }

    @Test
    void adjacentStagesAreAcceptedAndOnlyAsleepStagesCount() {
        NormalizedReading r =
                onlyReading(
                        SLEEP.formatted(
                                "[{\"stage\":\"awake\",\"start\":\"2026-11-22T00:00:00+07:00\",\"end\":\"2026-11-22T00:30:00+07:00\"},"
                                        + "{\"stage\":\"light\",\"start\":\"2026-11-22T00:30:00+07:00\",\"end\":\"2026-11-22T02:00:00+07:00\"},"
                                        + "{\"stage\":\"deep\",\"start\":\"2026-11-22T02:00:00+07:00\",\"end\":\"2026-11-22T03:00:00+07:00\"},"
                                        + "{\"stage\":\"out_of_bed\",\"start\":\"2026-11-22T03:00:00+07:00\",\"end\":\"2026-11-22T03:10:00+07:00\"}]"));
        assertEquals(150.0, r.value());
        assertEquals(4, r.stages().size());
    }

    @Test
    void sleepSessionLongerThanADayWithoutStagesIsImplausible() {
        assertEquals(
                RejectReason.IMPLAUSIBLE_VALUE,
                onlyRejection(
                        "{\"id\":\"s\",\"type\":\"sleep_session\","
                                + "\"start\":\"2026-11-20T20:00:00+07:00\",\"end\":\"2026-11-21T20:01:00+07:00\"}"));
    }

    @Test
    void seriesSampleOutOfRangeIsRejectedAloneUnderItsOwnId() {
        NormalizedBatch b =
                normalize(
                        "{\"id\":\"before\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":60}",
                        "{\"id\":\"hr\",\"type\":\"heart_rate\",\"start\":\"2026-11-22T08:00:00+07:00\",\"interval\":2,\"unit\":\"bpm\","
                                + "\"values\":[72,500,null,75,0,1e308]}");
        assertEquals(
                List.of("before", "hr#0", "hr#3"),
                b.readings().stream().map(NormalizedReading::readingId).toList());
        assertEquals(
                List.of("hr#1", "hr#4", "hr#5"),
                b.rejections().stream().map(Rejection::readingId).toList());
        for (Rejection r : b.rejections()) {
            assertEquals(RejectReason.IMPLAUSIBLE_VALUE, r.reason());
            assertEquals(1, r.index(), "a sample's rejection points at its series in the batch");
        }
        NormalizedReading first = b.readings().get(1);
        NormalizedReading fourth = b.readings().get(2);
        assertEquals(3 * 2_000_000L, fourth.startMicros() - first.startMicros());
        assertEquals(75.0, fourth.value());
        assertEquals(7 * 3600, fourth.offsetSeconds());
    }

    @Test
    void glucoseSeriesWithoutUnitRejectsEverySample() {
        NormalizedBatch b =
                normalize(
                        "{\"id\":\"g\",\"type\":\"blood_glucose\",\"start\":\"2026-11-22T08:00:00+07:00\","
                                + "\"interval\":300,\"values\":[5.1,5.3]}");
        assertEquals(List.of(), b.readings());
        assertEquals(
                List.of(RejectReason.MISSING_FIELD, RejectReason.MISSING_FIELD),
                b.rejections().stream().map(Rejection::reason).toList());
        assertEquals(
                List.of("g#0", "g#1"), b.rejections().stream().map(Rejection::readingId).toList());
    }

    private static String series(int count) {
        StringJoiner values = new StringJoiner(",", "[", "]");
        for (int i = 0; i < count; i++) {
            values.add(Integer.toString(60 + i % 40));
        }
        return "{\"id\":\"day\",\"type\":\"heart_rate\",\"start\":\"2026-11-21T11:00:00Z\",\"interval\":1,\"values\":"
                + values
                + "}";
    }

    @Test
    void seriesOfADayAtOneHertzIsAcceptedAndOneMoreValueIsNot() {
        NormalizedBatch day = normalize(series(86_400));
        assertEquals(List.of(), day.rejections());
        assertEquals(86_400, day.readings().size());
        assertEquals("day#86399", day.readings().get(86_399).readingId());
        assertEquals(RejectReason.INVALID_SERIES, onlyRejection(series(86_401)));
    }

    @Test
    void seriesWithTheIdOfAnotherReadingIsADuplicate() {
        NormalizedBatch b =
                normalize(
                        "{\"id\":\"d\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":60}",
                        "{\"id\":\"d\",\"type\":\"heart_rate\",\"start\":\"2026-11-22T08:00:00+07:00\",\"interval\":1,\"values\":[61,62]}");
        assertEquals(
                List.of("d"), b.readings().stream().map(NormalizedReading::readingId).toList());
        assertEquals(RejectReason.DUPLICATE_IN_BATCH, b.rejections().get(0).reason());
    }

    @Test
    void seriesIntervalThatRoundsToNoTimeIsRefused() {
        // times are kept in microseconds: a smaller interval would stack every sample on one
        // instant
        assertEquals(
                RejectReason.INVALID_SERIES,
                onlyRejection(
                        "{\"id\":\"x\",\"type\":\"heart_rate\",\"start\":\"2026-11-22T08:00:00+07:00\",\"interval\":1e-7,\"values\":[60,61]}"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "protection as a number | {\"id\":\"x\",\"type\":\"sexual_activity\",\"time\":\"2026-11-22T08:00:00+07:00\",\"protection_used\":1}",
                "protection as an array | {\"id\":\"x\",\"type\":\"sexual_activity\",\"time\":\"2026-11-22T08:00:00+07:00\",\"protection_used\":[true]}",
                "temperature site as its enum int | {\"id\":\"x\",\"type\":\"body_temperature\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":37,\"location\":3}",
                "bp position as object | {\"id\":\"x\",\"type\":\"blood_pressure\",\"time\":\"2026-11-22T08:00:00+07:00\",\"systolic\":120,\"diastolic\":80,\"body_position\":{\"code\":1}}",
                "appearance as its enum int | {\"id\":\"x\",\"type\":\"cervical_mucus\",\"time\":\"2026-11-22T08:00:00+07:00\",\"appearance\":5}",
            })
    void attributeOfTheWrongJsonTypeIsRefusedNotDropped(String name, String reading) {
        assertEquals(RejectReason.WRONG_TYPE, onlyRejection(reading), name);
    }

    @Test
    void unknownFieldsDoNotCrowdOutAnAttribute() {
        StringBuilder extra = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            extra.append("\"note").append(i).append("\":\"n\",");
        }
        NormalizedReading r =
                onlyReading(
                        "{\"id\":\"x\",\"type\":\"sexual_activity\",\"time\":\"2026-11-22T08:00:00+07:00\","
                                + extra
                                + "\"protection_used\":false}");
        assertEquals(2, ReadingType.attribute(r.attrs(), 0), "protection_used=false must be kept");
    }

    @Test
    void exerciseWithinItsPeriodIsAcceptedUpToAMinuteOfRounding() {
        String exercise =
                "{\"id\":\"x\",\"type\":\"exercise\",\"start\":\"2026-11-22T08:00:00+07:00\",\"end\":\"2026-11-22T08:30:00+07:00\",\"value\":%s}";
        assertEquals(31.0, onlyReading(exercise.formatted("31")).value());
        assertEquals(RejectReason.IMPLAUSIBLE_VALUE, onlyRejection(exercise.formatted("31.01")));
        NormalizedReading derived =
                onlyReading(
                        "{\"id\":\"x\",\"type\":\"exercise\",\"start\":\"2026-11-22T08:00:00+07:00\",\"end\":\"2026-11-22T08:30:00+07:00\"}");
        assertEquals(30.0, derived.value(), "no value means the session's length");
    }

    @Test
    void everyChoiceOfEveryTypeIsAccepted() {
        for (ReadingType t : ReadingType.values()) {
            for (var a : t.attributes()) {
                if (a.wireField().equals("unit")) {
                    continue;
                }
                for (var c : a.choices()) {
                    String value =
                            a.wireField().equals("protection_used")
                                    ? c.wire()
                                    : "\"" + c.wire() + "\"";
                    String reading =
                            switch (t) {
                                        case BLOOD_PRESSURE ->
                                                "{\"id\":\"x\",\"type\":\"blood_pressure\",\"time\":\"2026-11-22T08:00:00+07:00\",\"systolic\":120,\"diastolic\":80";
                                        case BLOOD_GLUCOSE ->
                                                "{\"id\":\"x\",\"type\":\"blood_glucose\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":5.4,\"unit\":\"mmol/L\"";
                                        default ->
                                                "{\"id\":\"x\",\"type\":\""
                                                        + t.wireName()
                                                        + "\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":37";
                                    }
                                    + ",\""
                                    + a.wireField()
                                    + "\":"
                                    + value
                                    + "}";
                    NormalizedReading r = onlyReading(reading);
                    int k = t.attributes().indexOf(a);
                    assertEquals(
                            a.choices().indexOf(c) + 1,
                            ReadingType.attribute(r.attrs(), k),
                            reading);
                }
            }
        }
    }
}
