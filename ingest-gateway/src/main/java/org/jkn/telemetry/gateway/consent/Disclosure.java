package org.jkn.telemetry.gateway.consent;

import java.time.Instant;
import org.jkn.telemetry.gateway.auth.Principal;
import org.jkn.telemetry.normalizer.catalog.DataCategory;
import org.jkn.telemetry.store.consent.ConsentDecisions;

/**
 * Which data categories of a patient's Observations a caller may see. Every Observation read and
 * search passes through here. The patient sees all of their own; a clinician sees the union of the
 * categories the patient's active access/disclose permits grant to the clinician ({@code fhirUser})
 * or the clinician's {@code organization}; anyone else (admins) nothing. Zero means no permit at
 * all: the caller answers 403.
 *
 * <p>Thread-safe; {@link #allowed} may block on the database (a decision cache miss), so call it on
 * a worker thread.
 */
public final class Disclosure {

    private final ConsentDecisions decisions;

    public Disclosure(ConsentDecisions decisions) {
        this.decisions = decisions;
    }

    /**
     * The {@link DataCategory} bit set {@code caller} may see of {@code patientId}'s data at {@code
     * nowMicros}.
     */
    public int allowed(Principal caller, String patientId, long nowMicros) {
        return switch (caller.kind()) {
            case PATIENT -> caller.isPatient(patientId) ? DataCategory.ALL : 0;
            case CLINICIAN ->
                    decisions
                            .get(patientId)
                            .disclosable(nowMicros, caller.fhirUser(), caller.organization());
            case ADMIN -> 0;
        };
    }

    public static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }
}
