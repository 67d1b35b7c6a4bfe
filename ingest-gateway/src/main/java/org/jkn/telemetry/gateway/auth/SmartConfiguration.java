package org.jkn.telemetry.gateway.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.List;

/**
 * {@code GET /.well-known/smart-configuration} (and under the FHIR base, where SMART App Launch v2
 * §2.1 looks for it): what this server, as a resource server, knows of its authorization. Open,
 * like {@code /fhir/metadata}: a client reads it before it has a token.
 *
 * <p>It says only what is configured here: the issuer tokens must come from, the JWKS URL their
 * keys are fetched from (when one is configured), the scopes this server grants anything for, and
 * the permission capabilities it enforces, and the identity provider's authorization and token
 * endpoints when they are configured ({@link OAuthEndpoints}; left out rather than guessed when
 * not, as in the development profile, whose tokens come from {@code /dev/token}).
 */
public final class SmartConfiguration {

    public static final String PATH = "/.well-known/smart-configuration";

    /** Every scope some route of this server checks (see {@link Scopes}). */
    public static final List<String> SCOPES =
            List.of(
                    "patient/Observation.rs",
                    "patient/Observation.c",
                    "patient/Patient.rs",
                    "patient/Consent.cruds",
                    "patient/AuditEvent.rs",
                    "user/Observation.rs",
                    "user/Patient.rs",
                    Scopes.ADMIN);

    /**
     * SMART capabilities this server enforces: patient and user scopes, v1 and v2 syntax ({@link
     * Scopes}).
     */
    public static final List<String> CAPABILITIES =
            List.of("permission-patient", "permission-user", "permission-v1", "permission-v2");

    private final String body;

    public SmartConfiguration(AuthConfig config) {
        JsonObject doc =
                new JsonObject()
                        .put("issuer", config.issuer())
                        .put("scopes_supported", new JsonArray(SCOPES))
                        .put("capabilities", new JsonArray(CAPABILITIES));
        if (config.jwksUrl() != null) {
            doc.put("jwks_uri", config.jwksUrl().toString());
        }
        OAuthEndpoints endpoints = config.endpoints();
        if (endpoints.authorize() != null) {
            doc.put("authorization_endpoint", endpoints.authorize().toString());
            // SMART v2: servers support PKCE with S256 (and never plain)
            doc.put("code_challenge_methods_supported", new JsonArray(List.of("S256")));
        }
        if (endpoints.token() != null) {
            doc.put("token_endpoint", endpoints.token().toString());
            doc.put("grant_types_supported", new JsonArray(endpoints.grantTypes()));
        }
        this.body = doc.encodePrettily();
    }

    public void mount(Router router) {
        for (String path : new String[] {PATH, "/fhir" + PATH}) {
            router.get(path)
                    .handler(
                            ctx ->
                                    ctx.response()
                                            .putHeader("Content-Type", "application/json")
                                            .end(body));
        }
    }
}
