package org.jkn.telemetry.gateway.fhir;

import java.util.Date;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.jkn.telemetry.store.query.StoredReading;

/**
 * The answer of {@code Observation/$lastn}: a searchset Bundle of the latest Observations of each
 * group, every one a match, with its total. The one place its Observations are rendered.
 * Thread-safe (the renderer is stateless).
 */
final class LastnBundle {

    private final ObservationRenderer renderer = new ObservationRenderer();

    Bundle of(String base, List<StoredReading> readings) {
        Bundle b = new Bundle().setType(Bundle.BundleType.SEARCHSET);
        b.getMeta().setLastUpdated(new Date());
        for (StoredReading r : readings) {
            b.addEntry()
                    .setFullUrl(base + "/Observation/" + r.observationId())
                    .setResource(renderer.render(r))
                    .getSearch()
                    .setMode(Bundle.SearchEntryMode.MATCH);
        }
        return b.setTotal(readings.size());
    }
}
