package org.jkn.telemetry.store.block;

import org.jkn.telemetry.normalizer.catalog.ReadingType;

/**
 * How long a block's time window is, by reading type. Heart rate, the one type watches send as a
 * dense series (1 Hz), gets an hour: 3,600 samples seal to about 4-5 KB, so merging a late batch
 * rewrites little. Every other type gets a UTC day, so the row, index entry and seal that a block
 * costs (about 250 bytes) are shared by a day's readings instead of an hour's.
 *
 * <p>Measured with {@code benchmarks ... store.DrainThroughput} (see BENCHMARKS.md): with heart
 * rate in six-hour windows a sparse day (heart rate every 5 minutes) cost 9.5 bytes a reading but 1
 * Hz heart rate 11.8 (each rewrite of a growing 20 KB block leaves dead TOAST behind); with an
 * hour, 31 and 3.1. Hour windows for SpO2, respiration and HRV, tried first, cost 53 bytes a
 * reading on the sparse day (a block for each hour with one reading). A window is fixed per type
 * because read by id and dedup find a reading's block from its type and start alone.
 *
 * <p>Windows start at multiples of their length since the epoch, so a window never spans two days
 * and {@link #MAX_MICROS} bounds how far after its window's start a reading can begin.
 */
public enum BlockWindow {
    // a third length needs the window-end ordering of query.BlockSearch extended
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

    /**
     * The start of the window holding a reading of this length that starts at {@code startMicros}.
     */
    public long startOf(long startMicros) {
        return Math.floorDiv(startMicros, micros) * micros;
    }

    public static BlockWindow of(ReadingType type) {
        return switch (type) {
            case HEART_RATE -> HOUR;
            default -> DAY;
        };
    }
}
