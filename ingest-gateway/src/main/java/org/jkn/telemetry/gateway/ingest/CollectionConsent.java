package org.jkn.telemetry.gateway.ingest;

import org.jkn.telemetry.store.consent.ConsentDecisions;

/**
 * The data categories (a {@code DataCategory} bit set) a patient consents, at {@code nowMicros}, to
 * the collection of. Called once per batch on the ingest hot path; may block on a cache miss.
 */
@FunctionalInterface
public interface CollectionConsent {

    int collectable(String patientId, long nowMicros);

    /** The patient's active Consents, through the decision cache. */
    static CollectionConsent of(ConsentDecisions decisions) {
        return (patientId, nowMicros) -> decisions.get(patientId).collectable(nowMicros);
    }
}
