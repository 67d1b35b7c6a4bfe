package org.jkn.telemetry.store.block;

import org.jkn.telemetry.normalizer.catalog.ReadingType;

/**
 * How long a block's time window is, by reading type. Dense series (a watch's 1 Hz heart rate,
 * SpO2, respiration, HRV) get an hour: 3,600 samples seal to a few KB, so a late reading re-seals
 * little and one hour of a chart opens one block. Everything else (app readings a few times a day,
 * body measurements, cycle, sleep, activity totals) gets a UTC day, so a sparse type's row and
 * seal overhead is shared by a day's readings instead of paid per reading.
 *
 * <p>Windows start at multiples of their length since the epoch, so a window never spans two
 * days and {@link #MAX_MICROS} bounds how far after its window's start a reading can begin.
 */
public enum BlockWindow {
    HOUR(3_600_000_000L),
    DAY(86_400_000_000L);

    /** The longest window: a reading starts less than this after its block's window start. */
    public static final long MAX_MICROS = DAY.micros;

    private final long micros;

    BlockWindow(long micros) {
        this.micros = micros;
    }

    public long micros() {
        return micros;
    }

    /** The start of the window holding a reading of this length that starts at {@code startMicros}. */
    public long startOf(long startMicros) {
        return Math.floorDiv(startMicros, micros) * micros;
    }

    public static BlockWindow of(ReadingType type) {
        return switch (type) {
            case HEART_RATE, HEART_RATE_VARIABILITY, OXYGEN_SATURATION, RESPIRATORY_RATE -> HOUR;
            default -> DAY;
        };
    }
}
