package org.jkn.telemetry.gateway.auth.dev;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.jkn.telemetry.gateway.http.JsonErrors;
import org.jkn.telemetry.normalizer.identity.Nik;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;

/**
 * {@code GET /dev/token}: development tokens, as plain text for {@code curl}. Mounted only in the
 * dev profile when no JWKS is configured (the tokens are signed with the generated development key,
 * which nothing else trusts), and answers only callers on the loopback interface: whoever can mint
 * an admin token owns the server.
 *
 * <ul>
 *   <li>{@code ?role=patient&nik=3171011508850001}: a patient token for that NIK's pseudonym;
 *   <li>{@code ?role=clinician[&fhirUser=Practitioner/123][&organization=Organization/rs-45]};
 *   <li>{@code ?role=admin}.
 * </ul>
 *
 * {@code &scope=...} replaces the role's default scopes (to try a read-only token, say).
 */
public final class DevTokenEndpoint {

    public static final String PATH = "/dev/token";
    private static final String DEFAULT_PRACTITIONER = "Practitioner/dev-practitioner";
    private static final String DEFAULT_ORGANIZATION = "Organization/dev-clinic";

    private final DevTokens tokens;
    private final Pseudonymizer pseudonymizer;

    public DevTokenEndpoint(DevTokens tokens, Pseudonymizer pseudonymizer) {
        this.tokens = tokens;
        this.pseudonymizer = pseudonymizer;
    }

    public void mount(Router router) {
        router.get(PATH).handler(this::token);
    }

    private void token(RoutingContext ctx) {
        HttpServerResponse response = ctx.response();
        if (!fromLoopback(ctx)) {
            JsonErrors.send(
                    response,
                    403,
                    "dev-only-local",
                    "development tokens are handed out only on the loopback interface");
            return;
        }
        String role = ctx.request().getParam("role");
        String scope = ctx.request().getParam("scope");
        String token;
        if ("patient".equals(role)) {
            String nik = ctx.request().getParam("nik");
            if (nik == null || !Nik.isValid(nik)) {
                JsonErrors.send(
                        response, 400, "patient-invalid", "nik must be a valid 16-digit NIK");
                return;
            }
            token =
                    tokens.patient(
                            pseudonymizer.patientId(nik),
                            scope != null ? scope : DevTokens.PATIENT_SCOPES,
                            DevTokens.DEFAULT_TTL);
        } else if ("clinician".equals(role)) {
            String fhirUser = ctx.request().getParam("fhirUser", DEFAULT_PRACTITIONER);
            String organization = ctx.request().getParam("organization", DEFAULT_ORGANIZATION);
            if (!fhirUser.matches("(Practitioner|PractitionerRole)/[A-Za-z0-9\\-.]{1,64}")
                    || !organization.matches("Organization/[A-Za-z0-9\\-.]{1,64}")) {
                JsonErrors.send(
                        response,
                        400,
                        "bad-request",
                        "fhirUser must be Practitioner/{id}, organization Organization/{id}");
                return;
            }
            token =
                    tokens.clinician(
                            fhirUser,
                            organization,
                            scope != null ? scope : DevTokens.CLINICIAN_SCOPES,
                            DevTokens.DEFAULT_TTL);
        } else if ("admin".equals(role)) {
            token = tokens.admin(DevTokens.DEFAULT_TTL);
        } else {
            JsonErrors.send(
                    response, 400, "bad-request", "role must be patient, clinician or admin");
            return;
        }
        response.putHeader("Content-Type", "text/plain; charset=utf-8")
                .putHeader("Cache-Control", "no-store")
                .end(token);
    }

    private static boolean fromLoopback(RoutingContext ctx) {
        if (ctx.request().remoteAddress() == null
                || ctx.request().remoteAddress().hostAddress() == null) {
            return false;
        }
        try {
            // an IP literal: no name lookup happens
            return InetAddress.getByName(ctx.request().remoteAddress().hostAddress())
                    .isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
