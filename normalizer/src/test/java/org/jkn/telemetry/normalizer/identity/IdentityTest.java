package org.jkn.telemetry.normalizer.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class IdentityTest {

    private static final byte[] KEY_A =
            "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEY_B =
            "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII);

    @Test
    void validNiksPass() {
        assertTrue(Nik.isValid("3171011508850001"));
        assertTrue(Nik.isValid("3171015508850001"), "women's birth day is day + 40");
    }

    @Test
    void malformedNiksFail() {
        for (String nik :
                new String[] {
                    null,
                    "",
                    "317101150885000",
                    "31710115088500011",
                    "317101150885000a",
                    "3171013208850001",
                    "3171011500850001",
                    "3171011513850001",
                    "3171011508850000",
                    "0071011508850001",
                    "３１７１０１１５０８８５０００１"
                }) {
            assertFalse(Nik.isValid(nik), String.valueOf(nik));
        }
    }

    @Test
    void pseudonymIsStableKeyedAndAValidFhirId() {
        Pseudonymizer a = new Pseudonymizer(KEY_A);
        String p = a.patientId("3171011508850001");
        assertEquals(p, new Pseudonymizer(KEY_A).patientId("3171011508850001"));
        assertNotEquals(p, new Pseudonymizer(KEY_B).patientId("3171011508850001"));
        assertNotEquals(p, a.patientId("3171011508850002"));
        assertTrue(p.matches("[0-9a-f]{40}"), p);
    }

    @Test
    void shortKeysAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Pseudonymizer(new byte[16]));
    }
}
