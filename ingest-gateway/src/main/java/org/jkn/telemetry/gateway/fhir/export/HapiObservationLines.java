package org.jkn.telemetry.gateway.fhir.export;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.jkn.telemetry.gateway.fhir.ObservationRenderer;
import org.jkn.telemetry.store.query.StoredReading;

/**
 * {@link ObservationLines} through the HAPI object model: the search path's {@link
 * ObservationRenderer}, then HAPI's JSON parser without pretty printing (which escapes line breaks
 * inside strings, so a resource stays on one line). Not thread-safe: one parser per instance.
 */
public final class HapiObservationLines implements ObservationLines {

    private final ObservationRenderer renderer = new ObservationRenderer();
    private final IParser parser;

    public HapiObservationLines(FhirContext fhir) {
        this.parser = fhir.newJsonParser().setPrettyPrint(false);
    }

    @Override
    public void write(StoredReading reading, OutputStream out) throws IOException {
        out.write(
                parser.encodeResourceToString(renderer.render(reading))
                        .getBytes(StandardCharsets.UTF_8));
    }
}
