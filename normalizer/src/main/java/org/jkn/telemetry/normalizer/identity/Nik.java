package org.jkn.telemetry.normalizer.identity;

/**
 * Checks the shape of an Indonesian NIK (Nomor Induk Kependudukan): 16 digits, a 6-digit region
 * code, the birth date as DDMMYY (women add 40 to the day) and a 4-digit serial that is not 0000.
 * This catches typing mistakes and garbage; it cannot tell whether the NIK was ever issued.
 */
public final class Nik {

    /** Identifier system of Indonesia's national FHIR platform (SATUSEHAT) for the NIK. */
    public static final String SYSTEM = "https://fhir.kemkes.go.id/id/nik";

    private Nik() {}

    public static boolean isValid(CharSequence nik) {
        if (nik == null || nik.length() != 16) {
            return false;
        }
        for (int i = 0; i < 16; i++) {
            char c = nik.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        if (twoDigits(nik, 0) < 11) {
            return false; // province codes start at 11 (Aceh)
        }
        int day = twoDigits(nik, 6);
        if (day > 40) {
            day -= 40;
        }
        int month = twoDigits(nik, 8);
        return day >= 1
                && day <= 31
                && month >= 1
                && month <= 12
                && !(nik.charAt(12) == '0'
                        && nik.charAt(13) == '0'
                        && nik.charAt(14) == '0'
                        && nik.charAt(15) == '0');
    }

    private static int twoDigits(CharSequence s, int at) {
        return (s.charAt(at) - '0') * 10 + (s.charAt(at + 1) - '0');
    }
}
