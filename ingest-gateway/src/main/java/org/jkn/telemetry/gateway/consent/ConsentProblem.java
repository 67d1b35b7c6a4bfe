package org.jkn.telemetry.gateway.consent;

/**
 * Why a Consent body was refused: the HTTP status (400 not a FHIR Consent at all, 413 too large,
 * 415 not JSON, 422 a Consent this server does not accept) and a sentence for people that never
 * echoes what was sent. A value, not an exception.
 */
record ConsentProblem(int status, String message) {

    static ConsentProblem malformed(String message) {
        return new ConsentProblem(400, message);
    }
}
