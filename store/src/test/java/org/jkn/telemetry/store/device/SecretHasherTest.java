package org.jkn.telemetry.store.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SecretHasherTest {

    private final SecretHasher hasher = new SecretHasher();

    @Test
    void verifiesTheSecretItHashedAndNothingElse() {
        SecretHash h = hasher.hash("correct horse battery staple");
        assertTrue(hasher.verify("correct horse battery staple", h));
        assertFalse(hasher.verify("correct horse battery stapl", h));
        assertFalse(hasher.verify("", h));
        assertEquals(SecretHasher.MIN_ITERATIONS, h.iterations());
        assertEquals(16, h.salt().length);
        assertEquals(32, h.hash().length);
    }

    @Test
    void theSameSecretHashesDifferentlyEachTime() {
        SecretHash a = hasher.hash("s");
        SecretHash b = hasher.hash("s");
        assertFalse(Arrays.equals(a.salt(), b.salt()));
        assertFalse(Arrays.equals(a.hash(), b.hash()));
    }

    @Test
    void refusesFewerIterationsThanTheFloor() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new SecretHasher(SecretHasher.MIN_ITERATIONS - 1));
    }

    @Test
    void neverPrintsTheHash() {
        assertFalse(hasher.hash("s").toString().contains("hash="));
    }
}
