package org.jkn.telemetry.gateway.consent;

import java.util.List;
import org.jkn.telemetry.store.consent.ConsentGrant;

/**
 * A checked Consent: the patient's pseudonym, its status and the grants it gives (none unless
 * active). Immutable.
 */
record CompiledConsent(String patientId, String status, List<ConsentGrant> grants) {

    CompiledConsent {
        grants = List.copyOf(grants);
    }
}
