package org.jkn.telemetry.normalizer;

import java.time.Duration;

/**
 * Limits the normalizer enforces. Validated eagerly.
 *
 * @param maxReadings readings in one batch; more refuses the whole batch
 * @param futureSkew how far ahead of the server clock a reading may be (device clocks drift)
 * @param maxAge how old a reading may be (the app uploads after being offline)
 * @param maxPeriod longest interval one reading may cover
 */
public record NormalizerLimits(
        int maxReadings, Duration futureSkew, Duration maxAge, Duration maxPeriod) {

    public static final NormalizerLimits DEFAULTS =
            new NormalizerLimits(
                    100_000, Duration.ofMinutes(5), Duration.ofDays(365), Duration.ofDays(31));

    public NormalizerLimits {
        if (maxReadings < 1) {
            throw new IllegalArgumentException("maxReadings must be >= 1");
        }
        if (futureSkew.isNegative()
                || maxAge.isNegative()
                || maxAge.isZero()
                || maxPeriod.isNegative()
                || maxPeriod.isZero()) {
            throw new IllegalArgumentException("durations must be positive");
        }
    }
}
