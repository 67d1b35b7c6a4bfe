package org.jkn.telemetry.store.query;

import java.util.List;
import org.jkn.telemetry.normalizer.catalog.ReadingType;

/**
 * The conditions of a search that only an opened reading can answer, because its value, device and
 * reading id are sealed: {@code value-quantity} bounds (all must hold, on the Observation's value
 * in its UCUM {@code unit} when one is named) and a source identifier (device and reading id as
 * sent).
 */
public record ReadingFilter(List<ValueBound> values, String unit, String device, String readingId) {

    public static final ReadingFilter NONE = new ReadingFilter(List.of(), null, null, null);

    public ReadingFilter {
        values = List.copyOf(values);
        if ((device == null) != (readingId == null)) {
            throw new IllegalArgumentException("an identifier names both device and reading id");
        }
    }

    public boolean isNone() {
        return values.isEmpty() && device == null;
    }

    /** The value conditions on a reading of {@code type} with these attributes and value. */
    boolean valueMatches(ReadingType type, int attrs, double value) {
        if (values.isEmpty()) {
            return true;
        }
        if (unit != null && !unit.equals(type.ucum(attrs))) {
            return false;
        }
        for (ValueBound b : values) {
            if (!b.matches(value)) {
                return false;
            }
        }
        return true;
    }

    /** The identifier condition. */
    boolean identifierMatches(String deviceId, String reading) {
        return device == null || (device.equals(deviceId) && readingId.equals(reading));
    }

    boolean matches(StoredReading r) {
        return valueMatches(r.type(), r.attrs(), r.value())
                && identifierMatches(r.deviceId(), r.readingId());
    }
}
