package org.jkn.telemetry.normalizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The allocation-free parser against java.time as the oracle, on valid, edge and mangled inputs.
 */
class IsoTimeTest {

    private static boolean agrees(String s) {
        IsoTime t = new IsoTime();
        boolean ours = t.parse(s.toCharArray(), 0, s.length());
        OffsetDateTime ref;
        try {
            ref = OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        } catch (DateTimeParseException e) {
            ref = null;
        }
        if (ref == null || ours != (ref != null)) {
            return !ours && ref == null;
        }
        long micros = ref.toEpochSecond() * 1_000_000L + ref.getNano() / 1000;
        return micros == t.micros && ref.getOffset().getTotalSeconds() == t.offsetSeconds;
    }

    @Test
    void edgesAgreeWithJavaTime() {
        String[] cases = {
            "2026-11-22T08:00:00+07:00",
            "2026-11-22T08:00+07:00",
            "2026-11-22T01:00:00Z",
            "2026-11-22T01:00:00.5Z",
            "2026-11-22T01:00:00.123456789-03:30",
            "2024-02-29T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2000-02-29T23:59:59+18:00",
            "2000-02-29T23:59:59-18:00",
            "2000-02-29T23:59:59+18:01",
            "2026-12-31T23:59:59.999999Z",
            "1970-01-01T00:00:00Z",
            "1969-12-31T23:59:59.000001Z",
            "2026-11-22T24:00:00Z",
            "2026-11-22T08:60:00Z",
            "2026-11-22T08:00:60Z",
            "2026-13-01T00:00:00Z",
            "2026-00-01T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2026-11-22 08:00:00Z",
            "2026-11-22T08:00:00",
            "2026-11-22T08:00:00+0700",
            "2026-11-22T08:00:00+7:00",
            "2026-11-22T08:00:00.Z",
            "2026-11-22T08:00:00.1234567890Z",
            "2026-11-22t08:00:00z",
            "+2026-11-22T08:00:00Z",
            "2026-11-22T08:00:00Zjunk",
            "2026-11-22",
            "",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
        };
        for (String s : cases) {
            assertEquals(true, agrees(s), s);
        }
    }

    @Test
    void randomTimesAndMutationsAgreeWithJavaTime() {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        Random r = new Random(seed);
        String alphabet = "0123456789-:T+Z.";
        for (int i = 0; i < 200_000; i++) {
            OffsetDateTime t =
                    OffsetDateTime.of(
                            1900 + r.nextInt(300),
                            1 + r.nextInt(12),
                            1 + r.nextInt(28),
                            r.nextInt(24),
                            r.nextInt(60),
                            r.nextInt(60),
                            r.nextInt(1_000_000_000),
                            java.time.ZoneOffset.ofTotalSeconds((r.nextInt(37) - 18) * 1800));
            char[] s = t.toString().toCharArray();
            if (r.nextBoolean()) {
                s[r.nextInt(s.length)] = alphabet.charAt(r.nextInt(alphabet.length()));
            }
            String text = new String(s);
            assertEquals(true, agrees(text), text + " (replay with -Dfuzz.seed=" + seed + ")");
        }
    }
}
