package org.jkn.telemetry.gateway.auth;

import io.vertx.ext.web.RoutingContext;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.jkn.telemetry.gateway.fhir.FhirResponses;
import org.jkn.telemetry.gateway.http.JsonErrors;
import org.jkn.telemetry.gateway.ops.Metrics;

/**
 * The answers to a refused caller, in the API's own error format: an OperationOutcome under {@code
 * /fhir}, {@code {"error": {"code", "message"}}} elsewhere, always with the RFC 6750 {@code
 * WWW-Authenticate} challenge. Codes ({@link RefusalCode}): {@code token-missing} and {@code
 * invalid-token} with the {@link TokenError} code (401); {@code insufficient-scope} (403: the token
 * is valid but does not grant this) and {@code patient-mismatch} (403: a patient token naming
 * another patient); {@code auth-busy} (503: too many new tokens being verified at once, retry).
 * Thread-safe.
 */
public final class AuthResponses {

    public static final String REALM = "telemetry";

    private final FhirResponses fhir;
    private final Metrics metrics;

    public AuthResponses(FhirResponses fhir, Metrics metrics) {
        this.fhir = fhir;
        this.metrics = metrics;
    }

    /** 401 without an error code: no credentials were sent (RFC 6750 §3.1). */
    public void missing(RoutingContext ctx) {
        metrics.authRefused(RefusalCode.TOKEN_MISSING.code());
        ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"" + REALM + "\"");
        send(
                ctx,
                401,
                IssueType.LOGIN,
                RefusalCode.TOKEN_MISSING,
                "a bearer token is required (Authorization: Bearer ...)");
    }

    /** 401 invalid_token, with the reason as error_description. */
    public void invalid(RoutingContext ctx, TokenError error) {
        metrics.authRefused(error.code());
        ctx.response()
                .putHeader(
                        "WWW-Authenticate",
                        "Bearer realm=\""
                                + REALM
                                + "\", error=\"invalid_token\", error_description=\""
                                + error.code()
                                + "\"");
        if (error == TokenError.KEYS_UNAVAILABLE) {
            ctx.response().putHeader("Retry-After", "5");
        }
        send(
                ctx,
                401,
                IssueType.LOGIN,
                RefusalCode.INVALID_TOKEN,
                "the bearer token is not valid here: " + error.code());
    }

    /**
     * 503 {@code auth-busy}: every token verification slot is taken; the token was not looked at.
     */
    public void busy(RoutingContext ctx) {
        metrics.authRefused(RefusalCode.AUTH_BUSY.code());
        ctx.response().putHeader("Retry-After", "1");
        send(
                ctx,
                503,
                IssueType.TRANSIENT,
                RefusalCode.AUTH_BUSY,
                "too many new tokens are being verified; retry shortly");
    }

    /** 403 insufficient_scope: valid token, but it does not grant what this request needs. */
    public void insufficientScope(RoutingContext ctx, String needed) {
        forbidden(ctx, RefusalCode.INSUFFICIENT_SCOPE, "this token does not grant " + needed);
    }

    /**
     * 403 for a request outside what the token grants; {@code code} is stable, {@code message}
     * names no identifier.
     */
    public void forbidden(RoutingContext ctx, RefusalCode code, String message) {
        metrics.authRefused(code.code());
        ctx.response()
                .putHeader(
                        "WWW-Authenticate",
                        "Bearer realm=\""
                                + REALM
                                + "\", error=\"insufficient_scope\", error_description=\""
                                + code.code()
                                + "\"");
        send(ctx, 403, IssueType.FORBIDDEN, code, message);
    }

    private void send(
            RoutingContext ctx, int status, IssueType type, RefusalCode code, String message) {
        if (ctx.request().path().startsWith("/fhir")) {
            fhir.error(ctx, status, type, message);
        } else {
            JsonErrors.send(ctx.response(), status, code.code(), message);
        }
    }
}
