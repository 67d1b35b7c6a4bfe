package org.jkn.telemetry.normalizer.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Every accepted input unit of every type, against an oracle: the inverse conversion, monotonicity,
 * affinity for temperatures, and the exact definitions (1 lb = 0.45359237 kg, 1 in = 2.54 cm, 1 mi
 * = 1609.344 m, 1 kcal = 4.184 kJ, 1 W = 86400/4184 kcal/d, 1 h = 60 min). jqwik prints each
 * property's seed in the test report and replays a failing seed first.
 */
class UnitConversionProperties {

    record Conversion(ReadingType type, Unit unit) {
        @Override
        public String toString() {
            return type.wireName() + " from " + unit.spelling();
        }
    }

    record Case(Conversion conversion, double canonical) {}

    static List<Conversion> conversions() {
        List<Conversion> all = new ArrayList<>();
        for (ReadingType t : ReadingType.values()) {
            for (Unit u : t.units()) {
                all.add(new Conversion(t, u));
            }
        }
        return all;
    }

    /**
     * The input that converts to {@code canonical}: the oracle is the algebraic inverse of x *
     * factor + offset.
     */
    private static double toInput(Unit u, double canonical) {
        return (canonical - u.offset()) / u.factor();
    }

    /**
     * Relative to the larger of the value and the offset: an affine conversion near 0 °C loses
     * digits of 32 °F, not of 0.
     */
    private static void assertClose(double expected, double actual, double relative, String what) {
        double scale = Math.max(Math.abs(expected), Math.abs(actual));
        assertTrue(
                Math.abs(expected - actual) <= relative * scale + Double.MIN_VALUE,
                () -> what + ": expected " + expected + " but was " + actual);
    }

    @Provide
    Arbitrary<Case> inRange() {
        return Arbitraries.of(conversions())
                .flatMap(
                        c ->
                                Arbitraries.doubles()
                                        .between(c.type().min(), c.type().max())
                                        .ofScale(9)
                                        .map(v -> new Case(c, v)));
    }

    @Property(tries = 3000)
    void convertingACanonicalValueToAnyAcceptedUnitAndBackIsTheIdentity(@ForAll("inRange") Case c) {
        Unit u = c.conversion().unit();
        double back = u.toCanonical(toInput(u, c.canonical()));
        double scale = Math.max(Math.abs(c.canonical()), Math.abs(u.offset()));
        assertTrue(
                Math.abs(back - c.canonical()) <= 1e-9 * scale + Double.MIN_VALUE,
                () -> c.conversion() + ": " + c.canonical() + " came back as " + back);
    }

    @Example
    void everyAcceptedUnitRoundTripsAtTheRangeEdgesAndMiddle() {
        for (Conversion c : conversions()) {
            double min = c.type().min();
            double max = c.type().max();
            for (double v : new double[] {min, max, (min + max) / 2}) {
                double back = c.unit().toCanonical(toInput(c.unit(), v));
                double scale = Math.max(Math.abs(v), Math.abs(c.unit().offset()));
                assertTrue(
                        Math.abs(back - v) <= 1e-9 * scale + Double.MIN_VALUE,
                        () -> c + ": " + v + " came back as " + back);
            }
        }
    }

    @Provide
    Arbitrary<Conversion> anyConversion() {
        return Arbitraries.of(conversions());
    }

    @Provide
    Arbitrary<double[]> orderedPair() {
        Arbitrary<Double> d = Arbitraries.doubles().between(-1e9, 1e9).ofScale(6);
        return Combinators.combine(d, d)
                .as((a, b) -> new double[] {Math.min(a, b), Math.max(a, b)});
    }

    @Property(tries = 2000)
    void conversionsAreMonotonicIncreasing(
            @ForAll("anyConversion") Conversion c, @ForAll("orderedPair") double[] ab) {
        assertTrue(c.unit().factor() > 0, () -> c + " has a factor that is not positive");
        double fa = c.unit().toCanonical(ab[0]);
        double fb = c.unit().toCanonical(ab[1]);
        assertTrue(fa <= fb, () -> c + ": " + ab[0] + " -> " + fa + " but " + ab[1] + " -> " + fb);
        if (ab[0] < ab[1] && ab[1] - ab[0] > 1e-6 * Math.max(Math.abs(ab[0]), Math.abs(ab[1]))) {
            assertTrue(fa < fb, () -> c + ": " + ab[0] + " and " + ab[1] + " both -> " + fa);
        }
    }

    @Provide
    Arbitrary<Conversion> temperature() {
        return Arbitraries.of(
                conversions().stream().filter(c -> "Cel".equals(c.type().ucum())).toList());
    }

    @Property(tries = 1000)
    void temperatureConversionsAreAffine(
            @ForAll("temperature") Conversion c, @ForAll("orderedPair") double[] ab) {
        Unit u = c.unit();
        double fa = u.toCanonical(ab[0]);
        double fb = u.toCanonical(ab[1]);
        // rounding of the conversions, relative to the operands (not to a difference or midpoint,
        // which may be near 0)
        double rounding = 1e-12 * (Math.abs(fa) + Math.abs(fb) + Math.abs(u.offset()));
        double mid = u.toCanonical((ab[0] + ab[1]) / 2);
        assertTrue(
                Math.abs(mid - (fa + fb) / 2) <= rounding,
                () ->
                        c
                                + " moves the midpoint of "
                                + ab[0]
                                + " and "
                                + ab[1]
                                + " to "
                                + mid
                                + ", not "
                                + (fa + fb) / 2);
        // a difference of temperatures scales by the factor alone: the offset cancels
        double expected = (ab[1] - ab[0]) * u.factor();
        assertTrue(
                Math.abs((fb - fa) - expected) <= rounding,
                () ->
                        c
                                + " scales the difference of "
                                + ab[0]
                                + " and "
                                + ab[1]
                                + " to "
                                + (fb - fa)
                                + ", not "
                                + expected);
    }

    private static Unit unit(ReadingType t, String spelling) {
        Unit u = t.unit(spelling);
        assertNotNull(u, () -> t.wireName() + " does not accept " + spelling);
        return u;
    }

    @Example
    void fahrenheitAndKelvinHitTheirFixedPoints() {
        for (ReadingType t :
                List.of(ReadingType.BODY_TEMPERATURE, ReadingType.BASAL_BODY_TEMPERATURE)) {
            for (String f : List.of("[degF]", "degF", "°F")) {
                Unit u = unit(t, f);
                assertEquals(0, u.toCanonical(32), 1e-12);
                assertClose(100, u.toCanonical(212), 1e-12, f + " 212");
                assertClose(-40, u.toCanonical(-40), 1e-12, f + " -40");
                assertClose(37, u.toCanonical(98.6), 1e-12, f + " 98.6");
            }
            Unit k = unit(t, "K");
            assertEquals(0, k.toCanonical(273.15), 1e-12);
            assertClose(100, k.toCanonical(373.15), 1e-12, "K 373.15");
            assertClose(-273.15, k.toCanonical(0), 1e-12, "K 0");
            for (String c : List.of("Cel", "°C", "degC")) {
                assertEquals(36.6, unit(t, c).toCanonical(36.6));
            }
        }
    }

    @Example
    void unitsMeetTheirExactDefinitions() {
        for (ReadingType mass :
                List.of(ReadingType.WEIGHT, ReadingType.BONE_MASS, ReadingType.LEAN_BODY_MASS)) {
            for (String lb : List.of("[lb_av]", "lb", "lbs")) {
                assertEquals(0.45359237, unit(mass, lb).toCanonical(1), 0, lb);
            }
            assertEquals(0.028349523125, unit(mass, "oz").toCanonical(1), 0);
            assertEquals(6.35029318, unit(mass, "st").toCanonical(1), 0);
            assertClose(1, unit(mass, "g").toCanonical(1000), 1e-15, "1000 g");
        }
        for (ReadingType length :
                List.of(
                        ReadingType.HEIGHT,
                        ReadingType.HIP_CIRCUMFERENCE,
                        ReadingType.WAIST_CIRCUMFERENCE)) {
            for (String in : List.of("[in_i]", "in")) {
                assertEquals(2.54, unit(length, in).toCanonical(1), 0, in);
            }
            assertEquals(100, unit(length, "m").toCanonical(1), 0);
        }
        assertClose(30.48, unit(ReadingType.HEIGHT, "ft").toCanonical(1), 1e-15, "1 ft");
        for (String mi : List.of("[mi_i]", "mi")) {
            assertEquals(1609.344, unit(ReadingType.DISTANCE, mi).toCanonical(1), 0, mi);
        }
        assertEquals(0.9144, unit(ReadingType.DISTANCE, "yd").toCanonical(1), 0);
        assertEquals(0.3048, unit(ReadingType.ELEVATION_GAINED, "ft").toCanonical(1), 0);
        for (ReadingType energy :
                List.of(ReadingType.CALORIES_ACTIVE, ReadingType.CALORIES_TOTAL)) {
            assertClose(1, unit(energy, "kJ").toCanonical(4.184), 1e-15, "4.184 kJ");
            assertClose(1, unit(energy, "J").toCanonical(4184), 1e-15, "4184 J");
            assertClose(1, unit(energy, "cal").toCanonical(1000), 1e-15, "1000 cal");
            assertEquals(1, unit(energy, "Cal").toCanonical(1), 0);
        }
        assertClose(
                86400 / 4184.0,
                unit(ReadingType.BASAL_METABOLIC_RATE, "W").toCanonical(1),
                1e-15,
                "1 W");
        assertClose(
                1,
                unit(ReadingType.BASAL_METABOLIC_RATE, "kJ/d").toCanonical(4.184),
                1e-15,
                "4.184 kJ/d");
        assertEquals(60, unit(ReadingType.EXERCISE, "h").toCanonical(1), 0);
        assertClose(1, unit(ReadingType.EXERCISE, "s").toCanonical(60), 1e-15, "60 s");
        assertClose(1, unit(ReadingType.EXERCISE, "ms").toCanonical(60_000), 1e-15, "60000 ms");
        assertEquals(1000, unit(ReadingType.HEART_RATE_VARIABILITY, "s").toCanonical(1), 0);
        assertEquals(60, unit(ReadingType.HEART_RATE, "Hz").toCanonical(1), 0);
        assertEquals(7.50061683, unit(ReadingType.BLOOD_PRESSURE, "kPa").toCanonical(1), 0);
        assertEquals(100, unit(ReadingType.OXYGEN_SATURATION, "1").toCanonical(1), 0);
        assertEquals(100, unit(ReadingType.BODY_FAT, "{fraction}").toCanonical(1), 0);
    }

    @Example
    void noUnitMeansTheCanonicalOne() {
        for (ReadingType t : ReadingType.values()) {
            if (t.ucum() != null) {
                Unit u = t.unit(null);
                assertEquals(Unit.same(t.ucum()), u, t.wireName());
            }
        }
    }
}
