package org.jkn.telemetry.store.query;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.jkn.telemetry.normalizer.catalog.ReadingType;

/**
 * Observation ids. A reading kept in a block has {@code <start micros in base 36>-<24 hex>-<2 hex
 * type><16 hex patient tag>}: the hex part is the reading's row key, a keyed HMAC of patient
 * pseudonym, device and reading id ({@link org.jkn.telemetry.store.crypto.RowKeys}); type and start
 * name the block's window and the tag ({@link #patientTag}) its patient, so a read by id is two
 * index lookups. Readings stored before blocks keep the id they were shown with, {@code <start in
 * base 36>-<24 hex>}, found through the upgrade's id table. Both are valid FHIR ids (at most 64
 * characters of [a-z0-9-]) and stable across re-uploads of the same reading.
 */
public final class ObservationIds {

    private static final int KEY_CHARS = 24;
    private static final int TAG_CHARS = 2 + 16;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private ObservationIds() {}

    /** The id of a reading stored before blocks. */
    public static String id(long startMicros, String key) {
        return Long.toString(startMicros, 36) + "-" + key;
    }

    /** The id of a reading kept in a block. */
    public static String id(long startMicros, String key, ReadingType type, long patientTag) {
        StringBuilder s =
                new StringBuilder(64)
                        .append(Long.toString(startMicros, 36))
                        .append('-')
                        .append(key)
                        .append('-');
        hex(s, type.id(), 2);
        hex(s, patientTag, 16);
        return s.toString();
    }

    private static void hex(StringBuilder s, long v, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            s.append(HEX[(int) (v >>> (4 * i)) & 0xf]);
        }
    }

    /**
     * The first 8 bytes of SHA-256 of the pseudonym, as the database's {@code patient_tag} computes
     * it.
     */
    public static long patientTag(String patientId) {
        try {
            byte[] d =
                    MessageDigest.getInstance("SHA-256")
                            .digest(patientId.getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = v << 8 | (d[i] & 0xff);
            }
            return v;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }

    /** The parts of an id, or null when the text is not an id this server made. */
    public static Parsed parse(String id) {
        if (id == null || id.length() > 64) {
            return null;
        }
        int dash = id.indexOf('-');
        if (dash < 1 || dash > 13) {
            return null;
        }
        int rest = id.length() - dash - 1;
        boolean legacy = rest == KEY_CHARS;
        if (!legacy
                && (rest != KEY_CHARS + 1 + TAG_CHARS || id.charAt(dash + 1 + KEY_CHARS) != '-')) {
            return null;
        }
        int second = legacy ? -1 : dash + 1 + KEY_CHARS;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean hexDigit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
            boolean ok =
                    i == dash
                            || i == second
                            || (i < dash
                                    ? (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
                                    : hexDigit);
            if (!ok) {
                return null;
            }
        }
        long start;
        try {
            start = Long.parseLong(id.substring(0, dash), 36);
        } catch (NumberFormatException e) {
            return null;
        }
        String key = id.substring(dash + 1, dash + 1 + KEY_CHARS);
        if (legacy) {
            return new Parsed(start, key, null, 0);
        }
        ReadingType type = ReadingType.ofId(Integer.parseInt(id, second + 1, second + 3, 16));
        if (type == null) {
            return null;
        }
        return new Parsed(
                start, key, type, Long.parseUnsignedLong(id, second + 3, id.length(), 16));
    }

    /**
     * A parsed id; {@code type} is null for an id issued before blocks (then {@code patientTag} is
     * 0).
     */
    public record Parsed(long startMicros, String key, ReadingType type, long patientTag) {

        public boolean legacy() {
            return type == null;
        }
    }
}
