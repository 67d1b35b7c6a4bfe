package org.jkn.telemetry.gateway.wiring;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.jkn.telemetry.gateway.fhir.FhirResponses;
import org.jkn.telemetry.gateway.http.DevicesHandler;
import org.jkn.telemetry.gateway.http.JsonErrors;
import org.jkn.telemetry.gateway.ops.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's answers to requests no route answered or one failed: an OperationOutcome under
 * {@code /fhir}, a JSON error elsewhere.
 */
final class ErrorHandlers {

    private static final Logger log = LoggerFactory.getLogger(ErrorHandlers.class);

    private ErrorHandlers() {}

    static void install(Router router, FhirResponses fhir, Metrics metrics) {
        router.errorHandler(413, ctx -> tooLarge(ctx, fhir, metrics));
        for (int status : new int[] {400, 404, 405, 500}) {
            router.errorHandler(status, ctx -> failed(ctx, status, fhir));
        }
    }

    private static void tooLarge(RoutingContext ctx, FhirResponses fhir, Metrics metrics) {
        if (ctx.request().path().startsWith("/fhir")) {
            fhir.error(ctx, 413, IssueType.TOOLONG, "the body is larger than this resource may be");
            return;
        }
        if (ctx.request().path().startsWith("/v1/devices")) {
            JsonErrors.send(
                    ctx.response(),
                    413,
                    "body-too-large",
                    "a device registration is at most " + DevicesHandler.MAX_BODY_BYTES + " bytes");
            return;
        }
        metrics.refusedTooLarge();
        JsonErrors.send(
                ctx.response(),
                413,
                "body-too-large",
                "the body is larger than this server accepts; split the batch");
    }

    private static void failed(RoutingContext ctx, int status, FhirResponses fhir) {
        if (status == 500 && ctx.failure() != null) {
            log.error("request failed", ctx.failure());
        }
        if (ctx.request().path().startsWith("/fhir")) {
            fhir.error(
                    ctx,
                    status,
                    status == 500 ? IssueType.EXCEPTION : IssueType.INVALID,
                    statusText(status));
        } else {
            JsonErrors.send(
                    ctx.response(),
                    status,
                    status == 500 ? "internal-error" : "bad-request",
                    statusText(status));
        }
    }

    private static String statusText(int status) {
        return switch (status) {
            case 400 -> "The request is malformed";
            case 404 -> "Not found";
            case 405 -> "Method not allowed here";
            default -> "Internal error; nothing was kept from this request";
        };
    }
}
