package org.jkn.telemetry.gateway.consent;

import io.vertx.ext.web.RoutingContext;
import org.jkn.telemetry.gateway.auth.Principal;

/**
 * Who may manage Consents, from the verified token: the patient, for their own patient only and
 * with the SMART scope {@code patient/Consent.<c|r|u|d|s>}, or an admin ({@code telemetry.admin}).
 * Clinicians may not read Consents: a Consent can name other actors and their periods, which is not
 * theirs to see; what a clinician may see of a patient shows in the Observation answers themselves.
 * Stateless; thread-safe.
 */
public final class TokenConsentAccess implements ConsentAccess {

    public TokenConsentAccess() {}

    @Override
    public Answer check(RoutingContext ctx, String patientId, char permission) {
        Principal p = Principal.of(ctx);
        if (p == null) {
            return Answer.NO_SCOPE;
        }
        if (p.isAdmin()) {
            return Answer.ALLOW;
        }
        if (p.kind() != Principal.Kind.PATIENT || !p.allows("patient", "Consent", permission)) {
            return Answer.NO_SCOPE;
        }
        return patientId == null || p.isPatient(patientId) ? Answer.ALLOW : Answer.OTHER_PATIENT;
    }
}
