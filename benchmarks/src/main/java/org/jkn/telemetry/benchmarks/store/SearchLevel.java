package org.jkn.telemetry.benchmarks.store;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import java.net.http.HttpClient;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.jkn.telemetry.gateway.fhir.JsonBuffer;
import org.jkn.telemetry.gateway.fhir.ObservationJson;
import org.jkn.telemetry.gateway.fhir.ObservationRenderer;
import org.jkn.telemetry.store.query.ReadingQueries;
import org.jkn.telemetry.store.query.StoredReading;

/**
 * Where a search is measured. Each level does the work of the one before it and more, so the
 * differences show where the time goes: {@code store} is {@link ReadingQueries#search} (SQL,
 * opening and decoding blocks, row keys); {@code render} adds building the searchset Bundle and
 * encoding it as JSON with HAPI, as the XML API does; {@code stream} instead adds the streaming
 * renderer the JSON API uses; {@code http} is the running gateway, which adds the token check, the
 * committed audit record, Vert.x and the transfer.
 */
interface SearchLevel {

    /**
     * Runs one search; returns the Observations on the page (the store level's extra look-ahead row
     * excluded).
     */
    int search(SearchQuery query, String patientId, String nik, SearchQuery.Target target)
            throws Exception;

    static SearchLevel store(ReadingQueries queries) {
        return (query, patientId, nik, t) ->
                Math.min(query.count, queries.search(query.search(patientId, t)).size());
    }

    /**
     * The store search, then the Bundle as ObservationSearchset's page builds it (links, entries,
     * total), encoded.
     */
    static SearchLevel render(ReadingQueries queries) {
        ObservationRenderer renderer = new ObservationRenderer();
        IParser json = FhirContext.forR4Cached().newJsonParser();
        String base = "http://127.0.0.1:8080/fhir";
        return (query, patientId, nik, t) -> {
            List<StoredReading> rows = queries.search(query.search(patientId, t));
            Bundle b = new Bundle().setType(Bundle.BundleType.SEARCHSET);
            b.getMeta().setLastUpdated(new Date());
            String self = base + "/Observation?" + query.queryString(patientId, t);
            b.addLink().setRelation("self").setUrl(self + "&_offset=0");
            boolean more = rows.size() > query.count;
            if (more) {
                b.addLink().setRelation("next").setUrl(self + "&_offset=" + query.count);
            }
            int n = Math.min(rows.size(), query.count);
            for (int i = 0; i < n; i++) {
                StoredReading r = rows.get(i);
                b.addEntry()
                        .setFullUrl(base + "/Observation/" + r.observationId())
                        .setResource(renderer.render(r))
                        .getSearch()
                        .setMode(Bundle.SearchEntryMode.MATCH);
            }
            if (!more) {
                b.setTotal(n);
            }
            if (json.encodeResourceToString(b).isEmpty()) {
                throw new IllegalStateException("empty encoding");
            }
            return n;
        };
    }

    /**
     * The store search, then the page's entries written by the streaming renderer the JSON API
     * uses, as ObservationSearchset's JSON page writes them: {@code render}'s work without HAPI.
     */
    static SearchLevel stream(ReadingQueries queries) {
        ObservationJson json = new ObservationJson();
        JsonBuffer out = new JsonBuffer(1 << 20);
        String base = "http://127.0.0.1:8080/fhir/Observation/";
        return (query, patientId, nik, t) -> {
            List<StoredReading> rows = queries.search(query.search(patientId, t));
            int n = Math.min(rows.size(), query.count);
            out.reset();
            for (int i = 0; i < n; i++) {
                StoredReading r = rows.get(i);
                out.string(base + r.observationId());
                json.write(r, out);
            }
            if (n > 0 && out.length() == 0) {
                throw new IllegalStateException("empty encoding");
            }
            return n;
        };
    }

    /**
     * The gateway at {@code base} (e.g. {@code http://127.0.0.1:8080}), with a development token
     * per patient.
     */
    static SearchLevel http(String base, int patients) {
        HttpClient client = GatewayHttp.client();
        String[] tokens = new String[patients];
        return (query, patientId, nik, t) -> {
            int p = t.patient();
            if (tokens[p] == null) {
                tokens[p] =
                        GatewayHttp.get(client, base + "/dev/token?role=patient&nik=" + nik, null);
            }
            String body =
                    GatewayHttp.get(
                            client,
                            base + "/fhir/Observation?" + query.queryString(patientId, t),
                            tokens[p]);
            return GatewayHttp.occurrences(body, "\"fullUrl\"");
        };
    }
}
