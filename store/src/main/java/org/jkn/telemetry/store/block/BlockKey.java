package org.jkn.telemetry.store.block;

import org.jkn.telemetry.normalizer.catalog.ReadingType;

/**
 * The primary key of a block: patient pseudonym, reading type, window start (epoch micros, UTC) and
 * data key version.
 */
public record BlockKey(String patientId, ReadingType type, long windowStartMicros, int keyVersion) {

    /**
     * A 64-bit hash for {@code pg_advisory_xact_lock}; a collision only makes two merges wait for
     * each other.
     */
    public long lockId() {
        long h = 1125899906842597L;
        for (int i = 0; i < patientId.length(); i++) {
            h = 31 * h + patientId.charAt(i);
        }
        h = 31 * h + type.id();
        h = 31 * h + windowStartMicros;
        h = 31 * h + keyVersion;
        return h ^ (h >>> 29);
    }
}
