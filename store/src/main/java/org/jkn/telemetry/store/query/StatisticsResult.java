package org.jkn.telemetry.store.query;

import java.util.List;

/**
 * The statistics of each series of a {@link StatisticsQuery}, in its order; or, when the order
 * statistics would keep more than {@link StatisticsQuery#MAX_KEPT_VALUES} values, none ({@code
 * tooManyValues}).
 */
public record StatisticsResult(List<SeriesStatistics> series, boolean tooManyValues) {

    public StatisticsResult {
        series = List.copyOf(series);
    }

    static StatisticsResult tooMany() {
        return new StatisticsResult(List.of(), true);
    }
}
