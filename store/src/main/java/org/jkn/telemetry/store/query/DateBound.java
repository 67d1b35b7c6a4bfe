package org.jkn.telemetry.store.query;

/**
 * One {@code date} search value: a prefix and the range the value's precision implies, {@code
 * [lowMicros, highMicros)}, e.g. {@code 2026-11-22} is the whole day.
 */
public record DateBound(DatePrefix prefix, long lowMicros, long highMicros) {

    public DateBound {
        if (highMicros <= lowMicros) {
            throw new IllegalArgumentException("empty date range");
        }
    }
}
