package org.jkn.telemetry.store.audit;

import java.util.List;
import org.jkn.telemetry.store.query.DateBound;

/**
 * A checked AuditEvent search: one patient's events (null = every event, for administrators),
 * recorded within all the date bounds, newest first, one page.
 */
public record AuditSearch(String patientId, List<DateBound> dates, int count, int offset) {

    public AuditSearch {
        dates = List.copyOf(dates);
        if (count < 0 || offset < 0) {
            throw new IllegalArgumentException("count and offset must be >= 0");
        }
    }
}
