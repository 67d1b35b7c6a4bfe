package org.jkn.telemetry.store.query;

import org.jkn.telemetry.normalizer.catalog.ReadingType;

/** One stored reading as the FHIR API needs it; times in epoch microseconds (UTC). */
public record StoredReading(String observationId, String patientId, String deviceId, String manufacturer, String model,
                            ReadingType type, long startMicros, long endMicros, int offsetSeconds,
                            double value, double value2, long receivedMicros) {
}
