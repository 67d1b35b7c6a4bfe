package org.jkn.telemetry.normalizer;

import java.util.List;
import org.jkn.telemetry.normalizer.catalog.ReadingType;

/**
 * A checked reading in canonical units, ready to store.
 *
 * @param startMicros effective instant, or start of the period, in microseconds since the epoch
 *     (UTC)
 * @param endMicros end of the period; equal to {@code startMicros} for instantaneous readings
 * @param offsetSeconds the UTC offset the reading was sent with, kept so it is shown as sent
 * @param value the canonical value (systolic for blood pressure, asleep minutes for sleep); NaN
 *     when none
 * @param diastolic the diastolic pressure of a blood pressure reading, otherwise NaN
 * @param attrs chosen attribute values, one byte each (index + 1, 0 = absent), see {@link
 *     ReadingType#attributes()}
 * @param stages sleep stages, empty for other types
 */
public record NormalizedReading(
        ReadingType type,
        String readingId,
        long startMicros,
        long endMicros,
        int offsetSeconds,
        double value,
        double diastolic,
        int attrs,
        List<SleepStage> stages) {

    /** A reading without attributes or stages. */
    public NormalizedReading(
            ReadingType type,
            String readingId,
            long startMicros,
            long endMicros,
            int offsetSeconds,
            double value,
            double diastolic) {
        this(
                type,
                readingId,
                startMicros,
                endMicros,
                offsetSeconds,
                value,
                diastolic,
                0,
                List.of());
    }

    public boolean isPeriod() {
        return type.shape().isPeriod();
    }
}
