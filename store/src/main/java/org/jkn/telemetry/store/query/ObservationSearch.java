package org.jkn.telemetry.store.query;

import java.util.List;
import org.jkn.telemetry.normalizer.catalog.ReadingType;

/**
 * A checked Observation search: one patient, any of {@code types} (empty = all), all of the
 * date bounds, newest first unless {@code ascending}, one page.
 */
public record ObservationSearch(String patientId, List<ReadingType> types, List<DateBound> dates,
                                boolean ascending, int count, int offset) {

    public ObservationSearch {
        types = List.copyOf(types);
        dates = List.copyOf(dates);
        if (count < 0 || offset < 0) {
            throw new IllegalArgumentException("count and offset must be >= 0");
        }
    }
}
