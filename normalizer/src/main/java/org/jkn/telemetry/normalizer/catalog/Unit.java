package org.jkn.telemetry.normalizer.catalog;

/**
 * An accepted input spelling of a unit and the factor that converts it to the type's canonical
 * UCUM unit ({@code canonical = input * factor}).
 */
public record Unit(String spelling, double factor) {

    public static Unit same(String spelling) {
        return new Unit(spelling, 1.0);
    }
}
