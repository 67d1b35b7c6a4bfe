package org.jkn.telemetry.benchmarks.load;

import org.jkn.telemetry.normalizer.identity.Nik;

/**
 * Distinct, valid NIKs for simulated patients: 16 digits, a region code (province 11 or above), the
 * birth date as DDMMYY (women add 40 to the day) and a serial that is not 0000, the format {@link
 * Nik#isValid} checks. The tests use fixed NIKs only, so the generation is written out here.
 */
final class Niks {

    /**
     * Real kecamatan codes (Jakarta Pusat, Bandung, Surabaya, Medan, Makassar): only the shape
     * matters.
     */
    private static final String[] REGIONS = {"317101", "327301", "357801", "127101", "737101"};

    private Niks() {}

    /**
     * The NIK of patient {@code n} (n >= 0). The map is one-to-one: the serial (1-9999) and the
     * birth date (day 1-28, month, year 1940-1999) together are a mixed-radix spelling of n, so two
     * patients never share a NIK; region and sex only vary the look.
     */
    static String of(long n) {
        if (n < 0 || n >= 9999L * 28 * 12 * 60) {
            throw new IllegalArgumentException("patient number out of range: " + n);
        }
        long serial = 1 + n % 9999;
        long rest = n / 9999;
        long day = 1 + rest % 28; // 28: every month has the day
        rest /= 28;
        long month = 1 + rest % 12;
        rest /= 12;
        long year = 40 + rest; // born 1940-1999
        boolean woman = n % 2 == 1;
        String nik =
                REGIONS[(int) (n % REGIONS.length)]
                        + String.format(
                                "%02d%02d%02d%04d", day + (woman ? 40 : 0), month, year, serial);
        // the gateway's own check, so a generator bug shows here and not as 400 patient-invalid
        if (!Nik.isValid(nik)) {
            throw new IllegalStateException("generated an invalid NIK for patient " + n);
        }
        return nik;
    }
}
