package org.jkn.telemetry.store.consent;

import java.time.Instant;

/**
 * A Consent as stored: its id, the patient's pseudonym, status, version, last update and the FHIR
 * JSON.
 */
public record StoredConsent(
        String id,
        String patientId,
        String status,
        long version,
        Instant updated,
        String resource) {}
