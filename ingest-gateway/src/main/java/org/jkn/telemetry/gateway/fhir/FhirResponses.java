package org.jkn.telemetry.gateway.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * Renders FHIR resources in the format the client asked for ({@code _format} or Accept: JSON by
 * default, XML on request) and errors as OperationOutcome. Thread-safe: the shared {@link
 * FhirContext} is thread-safe and parsers are created per response (they are cheap).
 */
public final class FhirResponses {

    public static final String JSON = "application/fhir+json";
    public static final String XML = "application/fhir+xml";

    private final FhirContext fhir;

    public FhirResponses(FhirContext fhir) {
        this.fhir = fhir;
    }

    /** The shared context, for parsing request bodies. */
    public FhirContext context() {
        return fhir;
    }

    /** The media type to answer with, or null when the client accepts neither FHIR format. */
    static String negotiate(RoutingContext ctx) {
        String format = ctx.request().getParam("_format");
        if (format != null) {
            return switch (format) {
                case "json", "application/json", "application/fhir+json" -> JSON;
                case "xml", "application/xml", "application/fhir+xml", "text/xml" -> XML;
                default -> null;
            };
        }
        String accept = ctx.request().getHeader("Accept");
        if (accept == null
                || accept.isBlank()
                || accept.contains("json")
                || accept.contains("*/*")) {
            return JSON;
        }
        return accept.contains("xml") ? XML : null;
    }

    /**
     * The FHIR base URL as the client addressed it, or localhost for a Host header that is not a
     * plain host name.
     */
    public static String base(RoutingContext ctx) {
        String host =
                ctx.request().authority() == null
                        ? "localhost"
                        : ctx.request().authority().toString();
        if (!host.matches("[A-Za-z0-9.\\-:\\[\\]]{1,255}")) {
            host = "localhost";
        }
        return ctx.request().scheme() + "://" + host + "/fhir";
    }

    /** The media type to answer with: the negotiated one, JSON when none was acceptable. */
    static String mediaType(RoutingContext ctx) {
        String type = negotiate(ctx);
        return type == null ? JSON : type;
    }

    public void send(RoutingContext ctx, int status, IBaseResource resource) {
        String type = mediaType(ctx);
        send(ctx, status, type, encode(resource, type));
    }

    /** {@code resource} in {@code mediaType}; may run on any thread. */
    Buffer encode(IBaseResource resource, String mediaType) {
        IParser parser = mediaType.equals(XML) ? fhir.newXmlParser() : fhir.newJsonParser();
        return Buffer.buffer(parser.encodeResourceToString(resource));
    }

    /** Answers with a body already encoded in {@code mediaType}. */
    void send(RoutingContext ctx, int status, String mediaType, Buffer body) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", mediaType + ";charset=utf-8")
                .end(body);
    }

    /** An OperationOutcome with one error issue. The diagnostics never echo identifiers. */
    public void error(
            RoutingContext ctx, int status, OperationOutcome.IssueType code, String diagnostics) {
        OperationOutcome oo = new OperationOutcome();
        oo.addIssue()
                .setSeverity(OperationOutcome.IssueSeverity.ERROR)
                .setCode(code)
                .setDiagnostics(diagnostics);
        send(ctx, status, oo);
    }
}
