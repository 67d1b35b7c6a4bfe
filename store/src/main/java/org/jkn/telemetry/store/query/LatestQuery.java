package org.jkn.telemetry.store.query;

import java.util.List;
import java.util.Set;
import org.jkn.telemetry.normalizer.catalog.ReadingType;

/**
 * A checked last-N query: of one patient, the newest {@code max} readings of each of {@code types}
 * (already narrowed to what consent discloses to the reader), keeping only readings whose stored
 * primary code is one of {@code storedCodes} (empty: any).
 */
public record LatestQuery(
        String patientId, List<ReadingType> types, Set<String> storedCodes, int max) {

    /** Beyond this a client wants a search with paging, not the latest values. */
    public static final int MAX = 1000;

    public LatestQuery {
        types = List.copyOf(types);
        storedCodes = Set.copyOf(storedCodes);
        if (max < 1 || max > MAX) {
            throw new IllegalArgumentException("max must be 1-" + MAX);
        }
    }

    /** True when the codes keep only some of this type's readings. */
    boolean narrows(ReadingType type) {
        return !storedCodes.isEmpty() && !storedCodes.containsAll(type.storedCodes());
    }

    boolean keeps(ReadingType type, int attrs) {
        return storedCodes.isEmpty() || storedCodes.contains(type.storedCode(attrs));
    }
}
