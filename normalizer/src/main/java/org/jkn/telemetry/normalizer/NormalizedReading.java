package org.jkn.telemetry.normalizer;

import org.jkn.telemetry.normalizer.catalog.ReadingType;

/**
 * A checked reading in canonical units, ready to store.
 *
 * @param startMicros   effective instant, or start of the period, in microseconds since the epoch (UTC)
 * @param endMicros     end of the period; equal to {@code startMicros} for instantaneous readings
 * @param offsetSeconds the UTC offset the reading was sent with, kept so it is shown as sent
 * @param value         the canonical value (systolic for blood pressure)
 * @param value2        diastolic for blood pressure, otherwise NaN
 */
public record NormalizedReading(ReadingType type, String readingId, long startMicros, long endMicros,
                                int offsetSeconds, double value, double value2) {

    public boolean isPeriod() {
        return type.shape().isPeriod();
    }
}
