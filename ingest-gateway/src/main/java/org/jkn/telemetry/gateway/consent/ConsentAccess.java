package org.jkn.telemetry.gateway.consent;

import io.vertx.ext.web.RoutingContext;

/**
 * Who may use which Consent interaction for which patient, decided from the request's caller.
 * Implementations are stateless, thread-safe and may be called on worker threads.
 */
public interface ConsentAccess {

    /**
     * ALLOW; NO_SCOPE: 403, the caller may not do this at all; OTHER_PATIENT: not this patient's
     * (403 or 404).
     */
    enum Answer {
        ALLOW,
        NO_SCOPE,
        OTHER_PATIENT
    }

    /**
     * May the caller use {@code permission} (SMART {@code c r u d s}) on the Consents of {@code
     * patientId}? Null {@code patientId}: on Consents in general, before the patient is known.
     */
    Answer check(RoutingContext ctx, String patientId, char permission);
}
