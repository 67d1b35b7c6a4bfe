package org.jkn.telemetry.gateway.fhir;

import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.List;
import org.jkn.telemetry.gateway.auth.Principal;

/**
 * Who may use which FHIR interaction, from the token alone (consent is decided after, for
 * clinicians only). Patient tokens act in the {@code patient} context on their own patient only;
 * clinician tokens in the {@code user} context; admin tokens read no health data at all.
 *
 * <p>A patient token searching for another patient, or without naming one, is refused (403): the
 * request itself says it is after someone else's data. A patient token reading another patient's
 * resource by id gets 404, exactly as for an id that does not exist, so ids cannot be probed for
 * existence (an Observation id is derived from the reading key; a 403 would confirm a guess).
 * Stateless; cheap.
 */
final class FhirAccess {

    /** What to answer: go on, 403 for a missing scope, 403 for another patient. */
    enum Decision {
        ALLOW,
        INSUFFICIENT_SCOPE,
        OTHER_PATIENT
    }

    private FhirAccess() {}

    /**
     * A search by type ({@code s}); {@code patients} are the patient ids the search names (ids, not
     * references).
     */
    static Decision search(Principal p, String type, List<String> patients) {
        Decision scope = scope(p, type, 's');
        if (scope != Decision.ALLOW || p.kind() != Principal.Kind.PATIENT) {
            return scope;
        }
        return patients.size() == 1 && p.isPatient(patients.get(0))
                ? Decision.ALLOW
                : Decision.OTHER_PATIENT;
    }

    /**
     * A read by id ({@code r}), before the resource is known; the owner is checked with {@link
     * #owns}.
     */
    static Decision read(Principal p, String type) {
        return scope(p, type, 'r');
    }

    /** False when a patient token would read another patient's resource: answer 404. */
    static boolean owns(Principal p, String patientId) {
        return p.kind() != Principal.Kind.PATIENT || p.isPatient(patientId);
    }

    static Decision scope(Principal p, String type, char permission) {
        String context =
                switch (p.kind()) {
                    case PATIENT -> "patient";
                    case CLINICIAN -> "user";
                    case ADMIN -> null;
                };
        return context != null && p.allows(context, type, permission)
                ? Decision.ALLOW
                : Decision.INSUFFICIENT_SCOPE;
    }

    /**
     * The patient ids an Observation search names, from {@code patient} and {@code subject},
     * without {@code Patient/}.
     */
    static List<String> searchedPatients(MultiMap params) {
        List<String> out = new ArrayList<>();
        for (String name : new String[] {"patient", "subject"}) {
            for (String v : params.getAll(name)) {
                out.add(v.startsWith("Patient/") ? v.substring("Patient/".length()) : v);
            }
        }
        return out;
    }
}
