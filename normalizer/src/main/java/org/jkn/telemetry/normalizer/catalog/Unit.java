package org.jkn.telemetry.normalizer.catalog;

/**
 * An accepted input spelling of a unit and how it converts to the type's canonical UCUM unit:
 * {@code canonical = input * factor + offset} (the offset is non-zero only for temperatures).
 */
public record Unit(String spelling, double factor, double offset) {

    public static Unit same(String spelling) {
        return new Unit(spelling, 1.0, 0.0);
    }

    public static Unit times(String spelling, double factor) {
        return new Unit(spelling, factor, 0.0);
    }

    public double toCanonical(double value) {
        return value * factor + offset;
    }
}
