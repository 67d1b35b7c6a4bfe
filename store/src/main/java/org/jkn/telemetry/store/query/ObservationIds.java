package org.jkn.telemetry.store.query;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Observation ids: {@code <start micros in base 36>-<24 hex chars>}, where the hex part is a
 * SHA-256 of the reading's key (patient pseudonym, device, reading id). The time prefix lets a
 * read by id go straight to one partition or chunk; the whole id is a valid FHIR id (at most 64
 * characters of [a-z0-9-]) and is stable across re-uploads of the same reading.
 */
public final class ObservationIds {

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final int KEY_CHARS = 24;

    private ObservationIds() {
    }

    public static String key(String patientId, String deviceId, String readingId) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        sha.update(patientId.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(deviceId.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        byte[] d = sha.digest(readingId.getBytes(StandardCharsets.UTF_8));
        char[] out = new char[KEY_CHARS];
        for (int i = 0; i < KEY_CHARS / 2; i++) {
            out[2 * i] = HEX[(d[i] >> 4) & 0xf];
            out[2 * i + 1] = HEX[d[i] & 0xf];
        }
        return new String(out);
    }

    public static String id(long startMicros, String key) {
        return Long.toString(startMicros, 36) + "-" + key;
    }

    /** The parts of an id, or null when the text is not an id this server made. */
    public static Parsed parse(String id) {
        if (id == null || id.length() > 64) {
            return null;
        }
        int dash = id.indexOf('-');
        if (dash < 1 || dash > 13 || id.length() - dash - 1 != KEY_CHARS) {
            return null;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = i == dash || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z' && (i < dash || c <= 'f'));
            if (!ok) {
                return null;
            }
        }
        try {
            return new Parsed(Long.parseLong(id.substring(0, dash), 36), id.substring(dash + 1));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    public record Parsed(long startMicros, String key) {
    }
}
