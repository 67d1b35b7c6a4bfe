package org.jkn.telemetry.store.query;

import java.util.Set;
import org.jkn.telemetry.normalizer.catalog.ReadingType;

/**
 * One series of numbers statistics are computed over: the values of the readings of {@code types}
 * whose stored primary code is one of {@code storedCodes} (empty: any) and whose UCUM unit is
 * {@code ucum} (null: any; blood glucose keeps the unit it was sent in, and a code may cover both),
 * or their diastolic values (blood pressure's second component) when {@code diastolic}.
 */
public record ReadingSeries(
        Set<ReadingType> types, Set<String> storedCodes, boolean diastolic, String ucum) {

    public ReadingSeries {
        types = Set.copyOf(types);
        storedCodes = Set.copyOf(storedCodes);
    }

    /** A series of readings in whatever unit their type has. */
    public ReadingSeries(Set<ReadingType> types, Set<String> storedCodes, boolean diastolic) {
        this(types, storedCodes, diastolic, null);
    }

    /** True when every reading of the type is in the series, whatever its attributes. */
    boolean keepsEvery(ReadingType type) {
        return types.contains(type)
                && ucum == null
                && (storedCodes.isEmpty() || storedCodes.containsAll(type.storedCodes()));
    }

    boolean keeps(ReadingType type, int attrs) {
        return types.contains(type)
                && (storedCodes.isEmpty() || storedCodes.contains(type.storedCode(attrs)))
                && (ucum == null || ucum.equals(type.ucum(attrs)));
    }
}
