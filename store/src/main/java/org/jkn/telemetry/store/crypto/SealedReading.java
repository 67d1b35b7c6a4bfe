package org.jkn.telemetry.store.crypto;

import org.jkn.telemetry.normalizer.catalog.ReadingType;

/**
 * One reading as the journal and the database keep it: in clear only what search needs (type,
 * stored code, times, offset) and the row key; everything else is in {@code sealed} ({@code nonce |
 * AES-GCM ciphertext | tag}) under the patient's data key.
 */
public record SealedReading(
        ReadingType type,
        String code,
        String rowKey,
        long startMicros,
        long endMicros,
        int offsetSeconds,
        byte[] sealed) {}
