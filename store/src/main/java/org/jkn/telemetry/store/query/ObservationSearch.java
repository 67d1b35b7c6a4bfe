package org.jkn.telemetry.store.query;

import java.util.List;
import org.jkn.telemetry.normalizer.catalog.DataCategory;

/**
 * A checked Observation search: one patient, any of the stored primary {@code codes} (empty = all;
 * see {@code ReadingType.storedCodesMatching}), all of the date bounds, only readings of the {@code
 * categories} (a {@link DataCategory} bit set: what consent discloses to the reader) and passing
 * the {@code filter} on what is sealed, newest first unless {@code ascending}, one page.
 */
public record ObservationSearch(
        String patientId,
        List<String> codes,
        List<DateBound> dates,
        boolean ascending,
        int count,
        int offset,
        int categories,
        ReadingFilter filter) {

    public ObservationSearch {
        codes = List.copyOf(codes);
        dates = List.copyOf(dates);
        if (count < 0 || offset < 0) {
            throw new IllegalArgumentException("count and offset must be >= 0");
        }
        if (filter == null) {
            throw new IllegalArgumentException("filter must not be null: ReadingFilter.NONE");
        }
        if (categories == 0 || (categories & ~DataCategory.ALL) != 0) {
            throw new IllegalArgumentException(
                    "categories must be a non-empty DataCategory bit set");
        }
    }

    /** A search with no filter on what is sealed. */
    public ObservationSearch(
            String patientId,
            List<String> codes,
            List<DateBound> dates,
            boolean ascending,
            int count,
            int offset,
            int categories) {
        this(patientId, codes, dates, ascending, count, offset, categories, ReadingFilter.NONE);
    }

    /** A search of every category. */
    public ObservationSearch(
            String patientId,
            List<String> codes,
            List<DateBound> dates,
            boolean ascending,
            int count,
            int offset) {
        this(patientId, codes, dates, ascending, count, offset, DataCategory.ALL);
    }

    /** The same search limited to these categories. */
    public ObservationSearch onlyCategories(int allowed) {
        return new ObservationSearch(
                patientId, codes, dates, ascending, count, offset, allowed, filter);
    }

    /** The same search with this filter on what is sealed. */
    public ObservationSearch filtered(ReadingFilter f) {
        return new ObservationSearch(
                patientId, codes, dates, ascending, count, offset, categories, f);
    }
}
