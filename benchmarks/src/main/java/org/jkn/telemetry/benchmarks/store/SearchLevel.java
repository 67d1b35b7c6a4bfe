package org.jkn.telemetry.benchmarks.store;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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
        HttpClient client =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(5))
                        .build();
        String[] tokens = new String[patients];
        return (query, patientId, nik, t) -> {
            int p = t.patient();
            if (tokens[p] == null) {
                tokens[p] = get(client, base + "/dev/token?role=patient&nik=" + nik, null);
            }
            String body =
                    get(
                            client,
                            base + "/fhir/Observation?" + query.queryString(patientId, t),
                            tokens[p]);
            return occurrences(body, "\"fullUrl\"");
        };
    }

    private static String get(HttpClient client, String url, String token)
            throws IOException, InterruptedException {
        HttpRequest.Builder r =
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).GET();
        if (token != null) {
            r.header("Authorization", "Bearer " + token).header("Accept", "application/fhir+json");
        }
        HttpResponse<String> response =
                client.send(r.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            String b = response.body();
            throw new IOException(
                    "GET "
                            + url
                            + " answered "
                            + response.statusCode()
                            + ": "
                            + b.substring(0, Math.min(300, b.length())));
        }
        return response.body();
    }

    /**
     * Entries counted in the text: cheaper than parsing a megabyte of JSON, and enough to check the
     * page.
     */
    private static int occurrences(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }
}
