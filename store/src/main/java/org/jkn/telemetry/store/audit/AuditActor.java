package org.jkn.telemetry.store.audit;

/**
 * Who acted, as the caller's token says: {@code kind} (patient, clinician, admin, or anonymous when
 * no token was accepted), the token's subject, its fhirUser (e.g. {@code Practitioner/123}) and the
 * organization claim. Any of the last three may be null.
 */
public record AuditActor(String kind, String subject, String fhirUser, String organization) {

    public static final AuditActor ANONYMOUS = new AuditActor("anonymous", null, null, null);

    public AuditActor {
        if (kind == null || kind.isEmpty()) {
            throw new IllegalArgumentException("an actor has a kind");
        }
    }
}
