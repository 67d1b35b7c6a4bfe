package org.jkn.telemetry.normalizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.junit.jupiter.api.Test;

/**
 * Mutates the example batch at random (byte flips, truncation, insertion) and checks the contract:
 * never an exception, and every reading is either accepted or rejected exactly once. The seed is
 * printed so a failure can be replayed.
 */
class NormalizerFuzzTest {

    private static final byte[] ALPHABET =
            "{}[]\",:0123456789.-+eE nultrfa\\\u00ff"
                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

    @Test
    void mutatedBatchesNeverThrowAndAccountForEveryReading() {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        Random random = new Random(seed);
        BatchNormalizer normalizer =
                new BatchNormalizer(new Pseudonymizer(Batches.KEY), NormalizerLimits.DEFAULTS);
        byte[] base = Batches.bytes(Batches.EXAMPLE);
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] body = mutate(base, random);
            NormalizedBatch b;
            try {
                b = normalizer.normalize(body, Batches.NOW);
            } catch (RuntimeException e) {
                throw new AssertionError(
                        "normalizer threw on iteration "
                                + i
                                + " (replay with -Dfuzz.seed="
                                + seed
                                + ")",
                        e);
            }
            if (b.error() == null) {
                accepted++;
                assertTrue(
                        b.readings().size() + b.rejections().size() <= 4 + 8,
                        "seed " + seed + ": more results than readings");
            } else {
                assertEquals(0, b.readings().size(), "seed " + seed);
            }
        }
        assertTrue(
                accepted > 0,
                "seed "
                        + seed
                        + ": no mutation kept the batch readable; the fuzzer is not exercising readings");
    }

    private static byte[] mutate(byte[] base, Random r) {
        byte[] b = base.clone();
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(3)) {
                case 0 -> b[at] = ALPHABET[r.nextInt(ALPHABET.length)];
                case 1 -> b = java.util.Arrays.copyOf(b, Math.max(1, at));
                default -> {
                    byte[] longer = new byte[b.length + 1];
                    System.arraycopy(b, 0, longer, 0, at);
                    longer[at] = ALPHABET[r.nextInt(ALPHABET.length)];
                    System.arraycopy(b, at, longer, at + 1, b.length - at);
                    b = longer;
                }
            }
        }
        return b;
    }
}
