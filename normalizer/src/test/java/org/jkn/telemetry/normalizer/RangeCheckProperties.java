package org.jkn.telemetry.normalizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.Scale;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.normalizer.catalog.Shape;
import org.jkn.telemetry.normalizer.catalog.Unit;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;

/**
 * Range checks through the real {@link BatchNormalizer}, against the catalogue's ranges as the
 * oracle: a value inside [min, max] is kept exactly, outside is {@code implausible-value}, steps
 * must be whole, glucose holds the same range in mg/dL and mmol/L, systolic must exceed diastolic.
 * The server clock is fixed at 2026-11-22T12:00:00Z and readings are a few hours older. jqwik
 * prints each property's seed in the test report.
 */
class RangeCheckProperties {

    private static final String TIME = "2026-11-22T16:00:00+07:00";
    private static final long TIME_MICROS =
            Instant.parse("2026-11-22T09:00:00Z").getEpochSecond() * 1_000_000L;

    /** A day ending an hour before now: long enough for the longest exercise. */
    private static final String START = "2026-11-21T18:00:00+07:00";

    private static final String END = "2026-11-22T18:00:00+07:00";
    private static final long START_MICROS =
            Instant.parse("2026-11-21T11:00:00Z").getEpochSecond() * 1_000_000L;

    private final BatchNormalizer normalizer =
            new BatchNormalizer(new Pseudonymizer(Batches.KEY), NormalizerLimits.DEFAULTS);

    /**
     * Numeric types whose value the client sends and that convert by factor (glucose and blood
     * pressure apart).
     */
    static List<ReadingType> plainQuantities() {
        return Arrays.stream(ReadingType.values())
                .filter(
                        t ->
                                t.shape() == Shape.INSTANT_QUANTITY
                                        || t.shape() == Shape.PERIOD_QUANTITY)
                .filter(t -> t != ReadingType.BLOOD_GLUCOSE)
                .toList();
    }

    static String reading(ReadingType t, String fields) {
        String when =
                t.shape().isPeriod()
                        ? "\"start\":\"" + START + "\",\"end\":\"" + END + "\""
                        : "\"time\":\"" + TIME + "\"";
        return "{\"id\":\"r1\",\"type\":\"" + t.wireName() + "\"," + when + "," + fields + "}";
    }

    /** A JSON number that parses back to exactly {@code v}. */
    static String json(double v) {
        return Double.toString(v);
    }

    private NormalizedBatch normalize(String reading) {
        NormalizedBatch b =
                normalizer.normalize(Batches.bytes(Batches.withReadings(reading)), Batches.NOW);
        assertNull(b.error(), () -> "batch refused: " + b.errorMessage());
        assertEquals(
                1,
                b.readings().size() + b.rejections().size(),
                () -> "one reading must give one result: " + reading);
        return b;
    }

    private NormalizedReading accepted(String reading) {
        NormalizedBatch b = normalize(reading);
        assertEquals(List.of(), b.rejections(), reading);
        return b.readings().get(0);
    }

    private RejectReason rejected(String reading) {
        NormalizedBatch b = normalize(reading);
        assertEquals(1, b.rejections().size(), () -> "accepted: " + reading);
        return b.rejections().get(0).reason();
    }

    record Sample(ReadingType type, double value, boolean sendUnit) {}

    @Provide
    Arbitrary<Sample> inRange() {
        return Arbitraries.of(plainQuantities())
                .flatMap(
                        t -> {
                            Arbitrary<Double> v =
                                    t.isInteger()
                                            ? Arbitraries.longs()
                                                    .between((long) t.min(), (long) t.max())
                                                    .map(Long::doubleValue)
                                            : Arbitraries.doubles()
                                                    .between(t.min(), t.max())
                                                    .ofScale(6);
                            return v.flatMap(
                                    x ->
                                            Arbitraries.of(true, false)
                                                    .map(unit -> new Sample(t, x, unit)));
                        });
    }

    @Property(tries = 2000)
    void valueInsideTheRangeIsAcceptedWithExactlyThatCanonicalValue(@ForAll("inRange") Sample s) {
        ReadingType t = s.type();
        String fields =
                "\"value\":"
                        + json(s.value())
                        + (s.sendUnit() ? ",\"unit\":\"" + t.ucum() + "\"" : "");
        NormalizedReading r = accepted(reading(t, fields));
        assertEquals(t, r.type());
        assertEquals("r1", r.readingId());
        assertTrue(
                r.value() == s.value(),
                () -> t.wireName() + ": sent " + s.value() + ", kept " + r.value());
        assertEquals(t.shape().isPeriod() ? START_MICROS : TIME_MICROS, r.startMicros());
        assertEquals(7 * 3600, r.offsetSeconds());
    }

    @Provide
    Arbitrary<Sample> outOfRange() {
        return Arbitraries.of(plainQuantities())
                .flatMap(
                        t -> {
                            double span = Math.max(1, t.max() - t.min());
                            Arbitrary<Double> below =
                                    Arbitraries.doubles()
                                            .between(t.min() - 10 * span, true, t.min(), false)
                                            .ofScale(6);
                            Arbitrary<Double> above =
                                    Arbitraries.doubles()
                                            .between(t.max(), false, t.max() + 10 * span, true)
                                            .ofScale(6);
                            return Arbitraries.oneOf(below, above).map(v -> new Sample(t, v, true));
                        });
    }

    @Property(tries = 2000)
    void valueOutsideTheRangeIsImplausible(@ForAll("outOfRange") Sample s) {
        assertEquals(
                RejectReason.IMPLAUSIBLE_VALUE,
                rejected(
                        reading(
                                s.type(),
                                "\"value\":"
                                        + json(s.value())
                                        + ",\"unit\":\""
                                        + s.type().ucum()
                                        + "\"")),
                () -> s.type().wireName() + " " + s.value());
    }

    @Provide
    Arbitrary<double[]> anyUnitAnyValue() {
        return Arbitraries.integers()
                .between(0, plainQuantities().size() - 1)
                .flatMap(
                        ti -> {
                            ReadingType t = plainQuantities().get(ti);
                            return Arbitraries.integers()
                                    .between(0, t.units().size() - 1)
                                    .flatMap(
                                            ui -> {
                                                double span = Math.max(1, t.max() - t.min());
                                                return Arbitraries.doubles()
                                                        .between(t.min() - span, t.max() + span)
                                                        .ofScale(4)
                                                        .map(v -> new double[] {ti, ui, v});
                                            });
                        });
    }

    /**
     * The oracle: convert with the catalogue's factor and offset, then the range, then wholeness.
     */
    @Property(tries = 3000)
    void everyAcceptedUnitIsConvertedThenRangeChecked(@ForAll("anyUnitAnyValue") double[] c) {
        ReadingType t = plainQuantities().get((int) c[0]);
        Unit u = t.units().get((int) c[1]);
        double raw = c[2];
        String reading =
                reading(t, "\"value\":" + json(raw) + ",\"unit\":\"" + u.spelling() + "\"");
        double canonical = u.toCanonical(raw);
        NormalizedBatch b = normalize(reading);
        if (!(canonical >= t.min() && canonical <= t.max())) {
            assertEquals(RejectReason.IMPLAUSIBLE_VALUE, b.rejections().get(0).reason(), reading);
        } else if (t.isInteger() && canonical != Math.rint(canonical)) {
            assertEquals(RejectReason.NOT_AN_INTEGER, b.rejections().get(0).reason(), reading);
        } else {
            assertEquals(List.of(), b.rejections(), reading);
            assertTrue(
                    b.readings().get(0).value() == canonical,
                    () -> reading + " kept " + b.readings().get(0).value());
        }
    }

    @Property
    void fractionalStepsAreNotAnInteger(
            @ForAll("wholeSteps") long whole,
            @ForAll @DoubleRange(min = 0.001, max = 0.999) @Scale(3) double fraction) {
        assertEquals(
                RejectReason.NOT_AN_INTEGER,
                rejected(reading(ReadingType.STEPS, "\"value\":" + json(whole + fraction))));
    }

    @Provide
    Arbitrary<Long> wholeSteps() {
        return Arbitraries.longs().between(0, 999_999);
    }

    @Example
    void hugeAndOverflowingNumbersAreRejectedForEveryUnit() {
        for (ReadingType t : plainQuantities()) {
            for (Unit u : t.units()) {
                for (String v :
                        List.of("1e308", "-1e308", "1.7976931348623157E308", "1e400", "-1e400")) {
                    assertEquals(
                            RejectReason.IMPLAUSIBLE_VALUE,
                            rejected(
                                    reading(
                                            t,
                                            "\"value\":"
                                                    + v
                                                    + ",\"unit\":\""
                                                    + u.spelling()
                                                    + "\"")),
                            t.wireName() + " " + v + " " + u.spelling());
                }
            }
        }
        for (String unit : List.of("mg/dL", "mmol/L")) {
            for (String v : List.of("1e308", "-1e308", "1e400")) {
                assertEquals(
                        RejectReason.IMPLAUSIBLE_VALUE,
                        rejected(
                                reading(
                                        ReadingType.BLOOD_GLUCOSE,
                                        "\"value\":" + v + ",\"unit\":\"" + unit + "\"")),
                        v + " " + unit);
            }
        }
        for (String v : List.of("1e308", "-1e308", "1e400")) {
            assertEquals(
                    RejectReason.IMPLAUSIBLE_VALUE,
                    rejected(
                            reading(
                                    ReadingType.BLOOD_PRESSURE,
                                    "\"systolic\":" + v + ",\"diastolic\":80")),
                    "systolic " + v);
            assertEquals(
                    RejectReason.IMPLAUSIBLE_VALUE,
                    rejected(
                            reading(
                                    ReadingType.BLOOD_PRESSURE,
                                    "\"systolic\":120,\"diastolic\":" + v)),
                    "diastolic " + v);
        }
    }

    @Example
    void notANumberIsNeverAValue() {
        // JSON has no NaN: the bare token makes the body malformed, a string is the wrong type
        NormalizedBatch bare =
                normalizer.normalize(
                        Batches.bytes(
                                Batches.withReadings(
                                        reading(ReadingType.HEART_RATE, "\"value\":NaN"))),
                        Batches.NOW);
        assertEquals(BatchError.MALFORMED_JSON, bare.error());
        for (String v : List.of("\"NaN\"", "\"Infinity\"", "\"72\"")) {
            assertEquals(
                    RejectReason.WRONG_TYPE,
                    rejected(reading(ReadingType.HEART_RATE, "\"value\":" + v)),
                    v);
        }
    }

    @Property(tries = 1000)
    void glucoseInMillimolesPerLitreHoldsZeroToFifty(
            @ForAll @DoubleRange(min = -100, max = 150) double mmol,
            @ForAll("mmolSpelling") String unit) {
        String reading =
                reading(
                        ReadingType.BLOOD_GLUCOSE,
                        "\"value\":" + json(mmol) + ",\"unit\":\"" + unit + "\"");
        if (mmol >= 0 && mmol <= 50) {
            NormalizedReading r = accepted(reading);
            assertTrue(r.value() == mmol, reading);
            assertEquals("mmol/L", ReadingType.BLOOD_GLUCOSE.ucum(r.attrs()));
        } else {
            assertEquals(RejectReason.IMPLAUSIBLE_VALUE, rejected(reading));
        }
    }

    @Property(tries = 1000)
    void glucoseInMilligramsPerDecilitreHoldsZeroTo900point78(
            @ForAll @DoubleRange(min = -100, max = 2000) double mgdl,
            @ForAll("mgSpelling") String unit) {
        String reading =
                reading(
                        ReadingType.BLOOD_GLUCOSE,
                        "\"value\":" + json(mgdl) + ",\"unit\":\"" + unit + "\"");
        if (mgdl >= 0 && mgdl <= 50 * ReadingType.GLUCOSE_MG_DL_PER_MMOL_L) {
            NormalizedReading r = accepted(reading);
            assertTrue(
                    r.value() == mgdl,
                    () -> reading + " kept " + r.value() + ": glucose is never converted");
            assertEquals("mg/dL", ReadingType.BLOOD_GLUCOSE.ucum(r.attrs()));
        } else {
            assertEquals(RejectReason.IMPLAUSIBLE_VALUE, rejected(reading));
        }
    }

    @Provide
    Arbitrary<String> mmolSpelling() {
        return Arbitraries.of("mmol/L", "mmol/l");
    }

    @Provide
    Arbitrary<String> mgSpelling() {
        return Arbitraries.of("mg/dL", "mg/dl");
    }

    /** The same concentration is accepted, or refused, in both units (18.0156 mg/dL per mmol/L). */
    @Property(tries = 1000)
    void glucoseRangeIsTheSameInBothUnits(@ForAll @DoubleRange(min = 0, max = 60) double mmol) {
        double mgdl = mmol * ReadingType.GLUCOSE_MG_DL_PER_MMOL_L;
        NormalizedBatch inMmol =
                normalize(
                        reading(
                                ReadingType.BLOOD_GLUCOSE,
                                "\"value\":" + json(mmol) + ",\"unit\":\"mmol/L\""));
        NormalizedBatch inMg =
                normalize(
                        reading(
                                ReadingType.BLOOD_GLUCOSE,
                                "\"value\":" + json(mgdl) + ",\"unit\":\"mg/dL\""));
        assertEquals(
                inMmol.readings().size(),
                inMg.readings().size(),
                () -> mmol + " mmol/L vs " + mgdl + " mg/dL");
    }

    @Example
    void glucoseRangeEdgesAreAcceptedInBothUnits() {
        for (String v : List.of("0", "50")) {
            accepted(reading(ReadingType.BLOOD_GLUCOSE, "\"value\":" + v + ",\"unit\":\"mmol/L\""));
        }
        for (String v : List.of("0", "900.78")) {
            accepted(reading(ReadingType.BLOOD_GLUCOSE, "\"value\":" + v + ",\"unit\":\"mg/dL\""));
        }
        assertEquals(
                RejectReason.IMPLAUSIBLE_VALUE,
                rejected(
                        reading(ReadingType.BLOOD_GLUCOSE, "\"value\":900.79,\"unit\":\"mg/dL\"")));
        assertEquals(
                RejectReason.IMPLAUSIBLE_VALUE,
                rejected(
                        reading(ReadingType.BLOOD_GLUCOSE, "\"value\":50.01,\"unit\":\"mmol/L\"")));
    }

    /** The oracle: systolic 20-200, diastolic 10-180 mm[Hg], systolic above diastolic. */
    @Property(tries = 3000)
    void bloodPressureNeedsBothInRangeAndSystolicAboveDiastolic(
            @ForAll @DoubleRange(min = 0, max = 260) double systolic,
            @ForAll @DoubleRange(min = 0, max = 260) double diastolic) {
        String reading =
                reading(
                        ReadingType.BLOOD_PRESSURE,
                        "\"systolic\":"
                                + json(systolic)
                                + ",\"diastolic\":"
                                + json(diastolic)
                                + ",\"unit\":\"mm[Hg]\"");
        boolean plausible =
                systolic >= 20
                        && systolic <= 200
                        && diastolic >= ReadingType.DIASTOLIC_MIN
                        && diastolic <= ReadingType.DIASTOLIC_MAX
                        && systolic > diastolic;
        if (plausible) {
            NormalizedReading r = accepted(reading);
            assertTrue(r.value() == systolic && r.diastolic() == diastolic, reading);
        } else {
            assertEquals(RejectReason.IMPLAUSIBLE_VALUE, rejected(reading), reading);
        }
    }

    @Property(tries = 500)
    void equalSystolicAndDiastolicIsImplausible(
            @ForAll @DoubleRange(min = 20, max = 180) double both) {
        assertEquals(
                RejectReason.IMPLAUSIBLE_VALUE,
                rejected(
                        reading(
                                ReadingType.BLOOD_PRESSURE,
                                "\"systolic\":" + json(both) + ",\"diastolic\":" + json(both))));
    }
}
