package org.jkn.telemetry.normalizer.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An invalid LOINC code is a validation error, not a warning. Every LOINC term code carries a
 * mod-10 check digit after the hyphen (LOINC Users' Guide, "Calculating Mod 10 check digits"),
 * which is how 69429-6 and 91557-8 were caught; this keeps the next typo out. Answer codes (LA...)
 * are not term codes and are skipped.
 */
class LoincCheckDigitTest {

    /** Luhn over the digits before the hyphen, rightmost digit doubled. */
    static int checkDigit(String digits) {
        int sum = 0;
        boolean dbl = true;
        for (int i = digits.length() - 1; i >= 0; i--) {
            int d = digits.charAt(i) - '0';
            if (dbl) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            dbl = !dbl;
        }
        return (10 - sum % 10) % 10;
    }

    static boolean isValid(String code) {
        int dash = code.indexOf('-');
        return code.matches("\\d{1,7}-\\d")
                && checkDigit(code.substring(0, dash)) == code.charAt(dash + 1) - '0';
    }

    @Test
    void checkDigitRejectsTheCodesTheCatalogueAvoids() {
        assertFalse(isValid("69429-6"));
        assertFalse(isValid("91557-8"));
        assertEquals(
                List.of(true, true, true),
                List.of(isValid("91557-9"), isValid("8867-4"), isValid("105272-9")));
    }

    @Test
    void everyEmittedLoincCodePassesItsCheckDigit() {
        List<String> bad =
                Catalogue.codings().stream()
                        .filter(c -> Coding.LOINC.equals(c.system()) && !c.code().startsWith("LA"))
                        .map(Coding::code)
                        .filter(code -> !isValid(code))
                        .toList();
        assertEquals(List.of(), bad);
    }
}
