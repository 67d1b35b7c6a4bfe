package org.jkn.telemetry.gateway.auth.dev;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;

/**
 * Mints ES256 tokens with the development signing key, shaped as an identity provider's would be
 * for this server: the development issuer and audience, {@code sub}, {@code iat}, {@code exp},
 * {@code scope} and the SMART claims ({@code patient}, {@code fhirUser}) plus {@code organization}.
 * For the dev endpoint, tests and demos; never wired in the prod profile. Thread-safe.
 */
public final class DevTokens {

    /**
     * Issuer and audience of development tokens, used when AUTH_ISSUER / AUTH_AUDIENCE are empty in
     * dev.
     */
    public static final String ISSUER = "urn:telemetry:dev";

    public static final String AUDIENCE = "urn:telemetry:gateway";

    /**
     * A participant: read and upload their own readings, see their own Patient, manage their
     * consent, see their audit trail.
     */
    public static final String PATIENT_SCOPES =
            "patient/Observation.rs patient/Observation.c patient/Patient.rs patient/Consent.cruds patient/AuditEvent.rs";

    /** A practitioner: read what consent allows. */
    public static final String CLINICIAN_SCOPES = "user/Observation.rs user/Patient.rs";

    public static final Duration DEFAULT_TTL = Duration.ofHours(8);

    private final DevSigningKey key;
    private final String issuer;
    private final String audience;
    private final Clock clock;

    public DevTokens(DevSigningKey key, String issuer, String audience, Clock clock) {
        this.key = key;
        this.issuer = issuer;
        this.audience = audience;
        this.clock = clock;
    }

    /**
     * A patient token; {@code patientId} is the Patient id (the NIK's pseudonym), never the NIK.
     */
    public String patient(String patientId, String scope, Duration ttl) {
        return mint(claims("patient-" + patientId, scope, ttl).put("patient", patientId));
    }

    public String clinician(String fhirUser, String organization, String scope, Duration ttl) {
        JsonObject c = claims(fhirUser, scope, ttl).put("fhirUser", fhirUser);
        if (organization != null) {
            c.put("organization", organization);
        }
        return mint(c);
    }

    public String admin(Duration ttl) {
        return mint(claims("dev-admin", org.jkn.telemetry.gateway.auth.Scopes.ADMIN, ttl));
    }

    /** The standard claims every development token carries. */
    public JsonObject claims(String subject, String scope, Duration ttl) {
        long now = clock.millis() / 1000;
        return new JsonObject()
                .put("iss", issuer)
                .put("aud", audience)
                .put("sub", subject)
                .put("iat", now)
                .put("exp", now + ttl.toSeconds())
                .put("scope", scope);
    }

    /** Signs these claims as they are (tests shape expired, foreign or odd tokens with it). */
    public String mint(JsonObject claims) {
        return sign(
                new JsonObject().put("alg", "ES256").put("typ", "JWT").put("kid", key.kid()),
                claims);
    }

    private String sign(JsonObject header, JsonObject claims) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String input =
                b64.encodeToString(header.encode().getBytes(StandardCharsets.UTF_8))
                        + "."
                        + b64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
        try {
            Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
            s.initSign(key.privateKey());
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + b64.encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ES256 signing failed", e);
        }
    }
}
