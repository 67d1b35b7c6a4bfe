package org.jkn.telemetry.normalizer.catalog;

/** How a reading carries its value and its time. */
public enum Shape {
    /** One number at one instant ({@code time}): FHIR valueQuantity + effectiveDateTime. */
    INSTANT_QUANTITY(1, false),
    /** One number over an interval ({@code start}, {@code end}): valueQuantity + effectivePeriod. */
    PERIOD_QUANTITY(1, true),
    /** Systolic and diastolic at one instant: two components, no Observation.value. */
    BLOOD_PRESSURE(2, false);

    private final int valueCount;
    private final boolean period;

    Shape(int valueCount, boolean period) {
        this.valueCount = valueCount;
        this.period = period;
    }

    /** Number of doubles a normalized reading of this shape carries. */
    public int valueCount() {
        return valueCount;
    }

    public boolean isPeriod() {
        return period;
    }
}
