package org.jkn.telemetry.store.query;

import java.util.List;

/**
 * A checked Observation search: one patient, any of the stored primary {@code codes} (empty = all;
 * see {@code ReadingType.storedCodesMatching}), all of the date bounds, newest first unless
 * {@code ascending}, one page.
 */
public record ObservationSearch(String patientId, List<String> codes, List<DateBound> dates,
                                boolean ascending, int count, int offset) {

    public ObservationSearch {
        codes = List.copyOf(codes);
        dates = List.copyOf(dates);
        if (count < 0 || offset < 0) {
            throw new IllegalArgumentException("count and offset must be >= 0");
        }
    }
}
