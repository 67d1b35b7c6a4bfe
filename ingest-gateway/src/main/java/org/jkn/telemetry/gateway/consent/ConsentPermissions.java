package org.jkn.telemetry.gateway.consent;

import io.vertx.ext.web.RoutingContext;
import org.jkn.telemetry.gateway.auth.RefusalCode;
import org.jkn.telemetry.gateway.fhir.FhirRoute;
import org.jkn.telemetry.store.consent.StoredConsent;

/**
 * The answers of {@link ConsentAccess} as the Consent routes give them: a refusal named by the
 * caller is a 403, a Consent the caller may not see is absent. Thread-safe.
 */
final class ConsentPermissions {

    private final FhirRoute route;
    private final ConsentAccess access;

    ConsentPermissions(FhirRoute route, ConsentAccess access) {
        this.route = route;
        this.access = access;
    }

    /**
     * Answers a refusal; true when the caller may go on. Another patient's Consent gets 403 here
     * (the caller named it).
     */
    boolean allowed(RoutingContext ctx, String patientId, char permission) {
        ConsentAccess.Answer a = access.check(ctx, patientId, permission);
        if (a == ConsentAccess.Answer.ALLOW) {
            return true;
        }
        if (a == ConsentAccess.Answer.NO_SCOPE) {
            route.insufficientScope(ctx, "patient/Consent." + permission + " (or the admin scope)");
        } else {
            route.forbid(
                    ctx,
                    RefusalCode.PATIENT_MISMATCH,
                    "a patient token manages only its own patient's consents");
        }
        return false;
    }

    /**
     * True when the caller may see that this stored Consent exists at all; otherwise it answers 404
     * like an absent one.
     */
    boolean visible(RoutingContext ctx, StoredConsent c, char permission) {
        return access.check(ctx, c.patientId(), permission) == ConsentAccess.Answer.ALLOW;
    }
}
