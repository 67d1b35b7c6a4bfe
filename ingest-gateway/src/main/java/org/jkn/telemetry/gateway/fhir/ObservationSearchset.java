package org.jkn.telemetry.gateway.fhir;

import io.vertx.core.buffer.Buffer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
    private final ObservationJson json = new ObservationJson();

    /**
     * The page of {@code rows} (one more than the page size when there are more) at {@code base},
     * as a HAPI Bundle: for XML.
     */
    Bundle page(
            String base,
            SearchParams.Parsed p,
            List<StoredReading> rows,
            Long total,
            long nowMillis) {
        ObservationSearch q = p.search();
        Bundle b = new Bundle().setType(Bundle.BundleType.SEARCHSET);
        b.getMeta().setLastUpdated(new Date(nowMillis));
        for (String[] link : links(base, p, rows.size())) {
            b.addLink().setRelation(link[0]).setUrl(link[1]);
        }
        int n = Math.min(rows.size(), q.count());
        for (int i = 0; i < n; i++) {
            StoredReading r = rows.get(i);
            b.addEntry()
                    .setFullUrl(base + "/Observation/" + r.observationId())
                    .setResource(renderer.render(r, p.elements()))
                    .getSearch()
                    .setMode(Bundle.SearchEntryMode.MATCH);
        }
        if (total != null) {
            b.setTotal(total.intValue());
        }
        return b;
    }

    /** The same page written straight to JSON, with no HAPI object per resource. */
    Buffer json(
            String base,
            SearchParams.Parsed p,
            List<StoredReading> rows,
            Long total,
            long nowMillis) {
        ObservationSearch q = p.search();
        int n = Math.min(rows.size(), q.count());
        JsonBuffer out = new JsonBuffer(512 + n * 1200);
        ObservationJson.openSearchset(out, nowMillis);
        if (total != null) {
            out.raw(",\"total\":").number(total);
        }
        out.raw(",\"link\":[");
        List<String[]> links = links(base, p, rows.size());
        for (int i = 0; i < links.size(); i++) {
            out.raw(i == 0 ? "{\"relation\":" : ",{\"relation\":")
                    .string(links.get(i)[0])
                    .raw(",\"url\":")
                    .string(links.get(i)[1])
                    .raw('}');
        }
        out.raw(']');
        json.entries(out, base, rows, n, p.elements());
        out.raw('}');
        return Buffer.buffer(out.toByteArray());
    }

    /** Self, then next and previous where there are such pages: relation and URL. */
    private static List<String[]> links(String base, SearchParams.Parsed p, int rows) {
        ObservationSearch q = p.search();
        List<String[]> links = new ArrayList<>(3);
        links.add(new String[] {"self", base + "/Observation?" + query(p, q.offset())});
        if (p.countOnly()) {
            return links;
        }
        if (rows > q.count()) {
            links.add(
                    new String[] {
                        "next", base + "/Observation?" + query(p, q.offset() + q.count())
                    });
        }
        if (q.offset() > 0) {
            links.add(
                    new String[] {
                        "previous",
                        base + "/Observation?" + query(p, Math.max(0, q.offset() - q.count()))
                    });
        }
        return links;
    }

    /**
     * The total a page shows by default: known only when this page holds every match; {@code
     * _count=0} reads nothing, so says nothing.
     */
    static Long pageTotal(ObservationSearch q, int rows) {
        return rows <= q.count() && q.offset() == 0 && q.count() > 0 ? Long.valueOf(rows) : null;
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
        // what the filter on sealed values held is not recorded: a reading id is the device's text
        if (!q.filter().values().isEmpty()) {
            s.append("value-quantity=(").append(q.filter().values().size()).append(")&");
        }
        if (q.filter().device() != null) {
            s.append("identifier=(1)&");
        }
        if (p.countOnly()) {
            s.append("_summary=count&");
        }
        s.append("_sort=").append(q.ascending() ? "date" : "-date");
        s.append("&_count=").append(q.count()).append("&_offset=").append(q.offset());
        return s.toString();
    }

    /** The checked search written back as a query string, for paging links. */
    private static String query(SearchParams.Parsed p, int offset) {
        ObservationSearch q = p.search();
        StringBuilder s = new StringBuilder("patient=").append(q.patientId());
        for (String[] param : p.echoed()) {
            s.append('&')
                    .append(param[0])
                    .append('=')
                    .append(URLEncoder.encode(param[1], StandardCharsets.UTF_8));
        }
        s.append("&_sort=").append(q.ascending() ? "date" : "-date");
        s.append("&_count=").append(q.count()).append("&_offset=").append(offset);
        return s.toString();
    }
}
