package org.jkn.telemetry.gateway.auth;

import io.vertx.ext.web.RoutingContext;

/**
 * Who is calling, from a verified bearer token. Put into the request's {@link RoutingContext} under
 * {@link #CONTEXT_KEY} by the authentication handler, before any handler of {@code /v1} or {@code
 * /fhir} (except {@code /fhir/metadata}) runs; read it with {@link #of(RoutingContext)}.
 *
 * @param kind what the token speaks for
 * @param subject the token's {@code sub}
 * @param patientId PATIENT: the FHIR Patient id from the SMART {@code patient} claim, which here is
 *     the keyed pseudonym of the NIK; null for the other kinds
 * @param fhirUser CLINICIAN: the SMART {@code fhirUser} claim, e.g. {@code Practitioner/123}; else
 *     null
 * @param organization CLINICIAN: the {@code organization} claim, e.g. {@code Organization/rs-45},
 *     or null
 * @param scopes the granted scopes
 */
public record Principal(
        Kind kind,
        String subject,
        String patientId,
        String fhirUser,
        String organization,
        Scopes scopes) {

    /** The RoutingContext key under which the authenticated principal is kept. */
    public static final String CONTEXT_KEY = "telemetry.principal";

    /** What a token speaks for; decided once, at verification (see {@code TokenVerifier}). */
    public enum Kind {
        /** A participant, for their own data only. */
        PATIENT,
        /** A practitioner, reading what consent allows. */
        CLINICIAN,
        /** An operator: erasure and device management, never health data. */
        ADMIN
    }

    /** The caller of this request, or null on a route that is open (metadata, health, metrics). */
    public static Principal of(RoutingContext ctx) {
        return ctx.get(CONTEXT_KEY);
    }

    /**
     * True when a granted scope allows {@code permission} (one of {@code c r u d s}) on {@code
     * resourceType}.
     */
    public boolean allows(String context, String resourceType, char permission) {
        return scopes.allows(context, resourceType, permission);
    }

    /** True for a patient token of exactly this patient (a pseudonym). */
    public boolean isPatient(String id) {
        return kind == Kind.PATIENT && patientId.equals(id);
    }

    public boolean isAdmin() {
        return kind == Kind.ADMIN;
    }

    public boolean isClinician() {
        return kind == Kind.CLINICIAN;
    }

    @Override
    public String toString() {
        return "Principal["
                + kind
                + "]"; // never the subject or patient id: toString ends up in logs
    }
}
