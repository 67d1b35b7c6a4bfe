package org.jkn.telemetry.store.query;

/**
 * Observation ids: {@code <start micros in base 36>-<24 hex chars>}, where the hex part is the
 * reading's row key, a keyed HMAC of patient pseudonym, device and reading id
 * ({@link org.jkn.telemetry.store.crypto.RowKeys}). The time prefix lets a
 * read by id go straight to one partition or chunk; the whole id is a valid FHIR id (at most 64
 * characters of [a-z0-9-]) and is stable across re-uploads of the same reading.
 */
public final class ObservationIds {

    private static final int KEY_CHARS = 24;

    private ObservationIds() {
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
