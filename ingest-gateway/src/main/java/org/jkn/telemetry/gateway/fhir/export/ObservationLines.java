package org.jkn.telemetry.gateway.fhir.export;

import java.io.IOException;
import java.io.OutputStream;
import org.jkn.telemetry.store.query.StoredReading;

/**
 * The one step of an export that turns a stored reading into bytes: its Observation as JSON on one
 * line (no line break inside, none at the end; the file adds it). Every exported Observation passes
 * through here and nowhere else, so a faster renderer replaces exactly this.
 *
 * <p>An instance serves one export at a time (it may keep buffers or a parser); make one per job.
 */
public interface ObservationLines {

    /** Writes {@code reading}'s Observation as one line of UTF-8 JSON to {@code out}. */
    void write(StoredReading reading, OutputStream out) throws IOException;
}
