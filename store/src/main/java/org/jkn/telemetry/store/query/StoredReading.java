package org.jkn.telemetry.store.query;

import java.util.List;
import org.jkn.telemetry.normalizer.SleepStage;
import org.jkn.telemetry.normalizer.catalog.ReadingType;

/**
 * One stored reading as the FHIR API needs it; times in epoch microseconds (UTC), NaN for absent
 * values, attributes packed as in {@link org.jkn.telemetry.normalizer.NormalizedReading}; {@code
 * readingId} as the device sent it (a dense-series sample's is {@code id#n}).
 */
public record StoredReading(
        String observationId,
        String patientId,
        String deviceId,
        String readingId,
        String manufacturer,
        String model,
        ReadingType type,
        long startMicros,
        long endMicros,
        int offsetSeconds,
        double value,
        double diastolic,
        long receivedMicros,
        int attrs,
        List<SleepStage> stages) {}
