package org.jkn.telemetry.gateway.fhir;

import io.vertx.core.buffer.Buffer;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.jkn.telemetry.store.query.StoredReading;

/**
 * The answer of {@code Observation/$lastn}: a searchset Bundle of the latest Observations of each
 * group, every one a match, with its total. JSON is written by the streaming renderer, XML built
 * through HAPI. Thread-safe (the renderers are stateless).
 */
final class LastnBundle {

    private final ObservationRenderer renderer = new ObservationRenderer();
    private final ObservationJson json = new ObservationJson();

    /** The Bundle in {@code mediaType}. */
    Buffer encode(
            FhirResponses responses, String base, List<StoredReading> readings, String mediaType) {
        return mediaType.equals(FhirResponses.JSON)
                ? json(base, readings, System.currentTimeMillis())
                : responses.encode(of(base, readings, new Date()), mediaType);
    }

    Bundle of(String base, List<StoredReading> readings, Date now) {
        Bundle b = new Bundle().setType(Bundle.BundleType.SEARCHSET);
        b.getMeta().setLastUpdated(now);
        for (StoredReading r : readings) {
            b.addEntry()
                    .setFullUrl(base + "/Observation/" + r.observationId())
                    .setResource(renderer.render(r))
                    .getSearch()
                    .setMode(Bundle.SearchEntryMode.MATCH);
        }
        return b.setTotal(readings.size());
    }

    Buffer json(String base, List<StoredReading> readings, long nowMillis) {
        JsonBuffer out = new JsonBuffer(256 + readings.size() * 1200);
        ObservationJson.openSearchset(out, nowMillis);
        out.raw(",\"total\":").number(readings.size());
        json.entries(out, base, readings, readings.size(), ObservationElements.ALL);
        out.raw('}');
        return Buffer.buffer(out.toByteArray());
    }
}
