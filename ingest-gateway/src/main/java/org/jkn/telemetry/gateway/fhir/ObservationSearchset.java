package org.jkn.telemetry.gateway.fhir;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.jkn.telemetry.store.query.ObservationSearch;
import org.jkn.telemetry.store.query.StoredReading;

/**
 * A page of an Observation search as a searchset Bundle with its paging links, and the search as
 * the audit trail records it. Thread-safe (the renderer is stateless).
 */
final class ObservationSearchset {

    private final ObservationRenderer renderer = new ObservationRenderer();

    /**
     * The page of {@code rows} (one more than the page size when there are more) at {@code base}.
     */
    Bundle page(String base, SearchParams.Parsed p, List<StoredReading> rows) {
        ObservationSearch q = p.search();
        Bundle b = new Bundle().setType(Bundle.BundleType.SEARCHSET);
        b.getMeta().setLastUpdated(new Date());
        String self = base + "/Observation?" + query(p, q.offset());
        b.addLink().setRelation("self").setUrl(self);
        boolean more = rows.size() > q.count();
        if (more) {
            b.addLink()
                    .setRelation("next")
                    .setUrl(base + "/Observation?" + query(p, q.offset() + q.count()));
        }
        if (q.offset() > 0) {
            b.addLink()
                    .setRelation("previous")
                    .setUrl(base + "/Observation?" + query(p, Math.max(0, q.offset() - q.count())));
        }
        int n = Math.min(rows.size(), q.count());
        for (int i = 0; i < n; i++) {
            StoredReading r = rows.get(i);
            b.addEntry()
                    .setFullUrl(base + "/Observation/" + r.observationId())
                    .setResource(renderer.render(r))
                    .getSearch()
                    .setMode(Bundle.SearchEntryMode.MATCH);
        }
        // known only when this page holds every match; _count=0 reads nothing, so says nothing
        if (!more && q.offset() == 0 && q.count() > 0) {
            b.setTotal(n);
        }
        return b;
    }

    /**
     * The search as recorded in the trail: the catalogue codes it resolved to (never the raw text,
     * which could hold anything), the checked dates and the page; the patient is recorded apart.
     */
    static String shape(SearchParams.Parsed p) {
        ObservationSearch q = p.search();
        StringBuilder s = new StringBuilder("Observation?");
        if (!p.rawCodes().isEmpty()) {
            s.append("code=").append(String.join(",", q.codes())).append('&');
        }
        for (String d : p.rawDates()) {
            s.append("date=").append(URLEncoder.encode(d, StandardCharsets.UTF_8)).append('&');
        }
        s.append("_sort=").append(q.ascending() ? "date" : "-date");
        s.append("&_count=").append(q.count()).append("&_offset=").append(q.offset());
        return s.toString();
    }

    /** The checked search written back as a query string, for paging links. */
    private static String query(SearchParams.Parsed p, int offset) {
        ObservationSearch q = p.search();
        StringBuilder s = new StringBuilder("patient=").append(q.patientId());
        for (String c : p.rawCodes()) {
            s.append("&code=").append(URLEncoder.encode(c, StandardCharsets.UTF_8));
        }
        for (String d : p.rawDates()) {
            s.append("&date=").append(URLEncoder.encode(d, StandardCharsets.UTF_8));
        }
        s.append("&_sort=").append(q.ascending() ? "date" : "-date");
        s.append("&_count=").append(q.count()).append("&_offset=").append(offset);
        return s.toString();
    }
}
