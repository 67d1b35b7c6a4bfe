package org.jkn.telemetry.store.crypto;

import java.util.List;
import org.jkn.telemetry.normalizer.SleepStage;

/**
 * What a sealed reading holds, once authenticated and decrypted. Manufacturer and model may be
 * null.
 */
public record Opened(
        double value,
        double diastolic,
        int attrs,
        List<SleepStage> stages,
        String deviceId,
        String readingId,
        String manufacturer,
        String model) {

    @Override
    public String toString() {
        return "Opened[...]"; // health data and device identifiers never reach a log through
        // toString
    }
}
