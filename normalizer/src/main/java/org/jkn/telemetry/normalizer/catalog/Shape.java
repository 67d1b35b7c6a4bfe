package org.jkn.telemetry.normalizer.catalog;

/** How a reading carries its value and its time, and so which FHIR elements it fills. */
public enum Shape {
    /**
     * A number at an instant ({@code time}): valueQuantity + effectiveDateTime. May come as a dense
     * series.
     */
    INSTANT_QUANTITY(false, true),
    /** A number over an interval ({@code start}, {@code end}): valueQuantity + effectivePeriod. */
    PERIOD_QUANTITY(true, true),
    /** Systolic and diastolic at an instant: two components, no Observation.value. */
    BLOOD_PRESSURE(false, true),
    /**
     * Coded observations at an instant (cycle data): the value and/or components come from
     * attributes.
     */
    INSTANT_CODED(false, false),
    /** Coded observation over an interval (lactation). */
    PERIOD_CODED(true, false),
    /** A sleep session: total asleep minutes over the session, stage totals as components. */
    SLEEP_SESSION(true, true);

    private final boolean period;
    private final boolean numeric;

    Shape(boolean period, boolean numeric) {
        this.period = period;
        this.numeric = numeric;
    }

    public boolean isPeriod() {
        return period;
    }

    /**
     * True when the reading has a numeric value the client sends (or that is derived, for sleep).
     */
    public boolean isNumeric() {
        return numeric;
    }
}
