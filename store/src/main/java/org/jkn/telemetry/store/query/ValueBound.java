package org.jkn.telemetry.store.query;

/**
 * One {@code value-quantity} search value: a prefix, the number, and the range its precision
 * implies, {@code [low, high)} ({@code 5.4} is {@code [5.35, 5.45)}; for {@code ap}, widened by the
 * parser). {@code eq}, {@code ne} and {@code ap} compare with the range; the ordering prefixes with
 * the number itself, as HAPI FHIR does, so {@code lt90} finds 89.7.
 */
public record ValueBound(DatePrefix prefix, double number, double low, double high) {

    public ValueBound {
        if (!(high > low) || number < low || number >= high) {
            throw new IllegalArgumentException("the number must lie in a non-empty range");
        }
    }

    /** True when {@code v} satisfies this bound; an absent value (NaN) never does. */
    public boolean matches(double v) {
        if (Double.isNaN(v)) {
            return false;
        }
        return switch (prefix) {
            case EQ, AP -> v >= low && v < high;
            case NE -> v < low || v >= high;
            case GT, SA -> v > number;
            case GE -> v >= number;
            case LT, EB -> v < number;
            case LE -> v <= number;
        };
    }
}
