package org.jkn.telemetry.gateway.consent;

import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Consent;
import org.jkn.telemetry.gateway.fhir.FhirResponses;
import org.jkn.telemetry.store.consent.StoredConsent;

/**
 * A Consent as stored, one version per change: the stored form of a checked resource, the resource
 * back from it, and the answers that carry it, with its version headers (ETag, Last-Modified and,
 * for a create, Location). Thread-safe: the FHIR context is, and parsers are made per call.
 */
final class ConsentVersions {

    private final FhirResponses responses;

    ConsentVersions(FhirResponses responses) {
        this.responses = responses;
    }

    /** Version {@code version} of Consent {@code id}; sets the id and meta of {@code c}. */
    StoredConsent stored(Consent c, String id, CompiledConsent compiled, long version) {
        Instant now = Instant.now();
        c.setId(id);
        c.getMeta().setVersionId(Long.toString(version)).setLastUpdated(Date.from(now));
        return new StoredConsent(
                id,
                compiled.patientId(),
                compiled.status(),
                version,
                now,
                responses.context().newJsonParser().encodeResourceToString(c));
    }

    private Consent resource(StoredConsent c) {
        return responses.context().newJsonParser().parseResource(Consent.class, c.resource());
    }

    /** Answers with the stored version; a 201 names where it was created. */
    void send(RoutingContext ctx, int status, StoredConsent c) {
        ctx.response()
                .putHeader("ETag", "W/\"" + c.version() + "\"")
                .putHeader(
                        "Last-Modified",
                        DateTimeFormatter.RFC_1123_DATE_TIME.format(
                                c.updated().atOffset(ZoneOffset.UTC)));
        if (status == 201) {
            ctx.response()
                    .putHeader(
                            "Location",
                            FhirResponses.base(ctx)
                                    + "/Consent/"
                                    + c.id()
                                    + "/_history/"
                                    + c.version());
        }
        responses.send(ctx, status, resource(c));
    }

    /** Answers a search by patient with every Consent found. */
    void sendSearchset(RoutingContext ctx, String patientId, List<StoredConsent> found) {
        Bundle b = new Bundle().setType(Bundle.BundleType.SEARCHSET);
        b.getMeta().setLastUpdated(new Date());
        String base = FhirResponses.base(ctx);
        b.addLink().setRelation("self").setUrl(base + "/Consent?patient=" + patientId);
        for (StoredConsent c : found) {
            b.addEntry()
                    .setFullUrl(base + "/Consent/" + c.id())
                    .setResource(resource(c))
                    .getSearch()
                    .setMode(Bundle.SearchEntryMode.MATCH);
        }
        b.setTotal(found.size());
        responses.send(ctx, 200, b);
    }

    /** The version {@code If-Match} asks for: null without If-Match, -1 when malformed. */
    static Long ifMatch(RoutingContext ctx) {
        String h = ctx.request().getHeader("If-Match");
        if (h == null) {
            return null;
        }
        String v = h.trim();
        if (v.startsWith("W/")) {
            v = v.substring(2);
        }
        if (v.length() < 3
                || v.length() > 21
                || v.charAt(0) != '"'
                || v.charAt(v.length() - 1) != '"') {
            return -1L;
        }
        try {
            return Long.parseLong(v.substring(1, v.length() - 1));
        } catch (NumberFormatException e) {
            return -1L;
        }
    }
}
