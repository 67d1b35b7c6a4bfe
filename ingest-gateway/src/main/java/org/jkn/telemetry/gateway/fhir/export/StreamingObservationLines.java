package org.jkn.telemetry.gateway.fhir.export;

import java.io.IOException;
import java.io.OutputStream;
import org.jkn.telemetry.gateway.fhir.JsonBuffer;
import org.jkn.telemetry.gateway.fhir.ObservationJson;
import org.jkn.telemetry.store.query.StoredReading;

/**
 * {@link ObservationLines} through the streaming renderer the search pages use: the same bytes as a
 * page's entry, which escapes every line break inside a string, so a resource stays on one line.
 * Not thread-safe: one buffer per instance.
 */
public final class StreamingObservationLines implements ObservationLines {

    private final ObservationJson json = new ObservationJson();
    private final JsonBuffer buffer = new JsonBuffer(2048);

    @Override
    public void write(StoredReading reading, OutputStream out) throws IOException {
        buffer.reset();
        json.write(reading, buffer);
        out.write(buffer.array(), 0, buffer.length());
    }
}
