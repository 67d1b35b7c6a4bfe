package org.jkn.telemetry.gateway.fhir;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.sql.SQLException;
import java.time.ZoneId;
import java.util.List;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.jkn.telemetry.gateway.audit.Auditor;
import org.jkn.telemetry.gateway.auth.Principal;
import org.jkn.telemetry.gateway.auth.RefusalCode;
import org.jkn.telemetry.gateway.consent.Disclosure;
import org.jkn.telemetry.store.audit.AuditEntry;
import org.jkn.telemetry.store.audit.Interaction;
import org.jkn.telemetry.store.query.ObservationSearch;
import org.jkn.telemetry.store.query.ReadingQueries;
import org.jkn.telemetry.store.query.StoredReading;

/**
 * {@code GET /fhir/Observation} (by patient, code and date, paged) and {@code GET
 * /fhir/Observation/{id}}. {@link FhirAccess} decides from the token who may search or read; {@link
 * Disclosure} narrows what a clinician sees to the categories the patient's consent discloses to
 * them. Every search and read is recorded, refusals included, before it is answered. Thread-safe.
 */
final class ObservationApi {

    private static final String SEARCH_SCOPES =
            "patient/Observation.rs for a patient's own data, user/Observation.rs for a clinician";
    private static final String READ_SCOPES = "patient/Observation.r or user/Observation.r";

    private final FhirRoute route;
    private final ReadingQueries queries;
    private final Disclosure disclosure;
    private final ZoneId searchZone;
    private final ObservationRenderer renderer = new ObservationRenderer();
    private final ObservationJson json = new ObservationJson();
    private final ObservationSearchset searchset = new ObservationSearchset();

    ObservationApi(
            FhirRoute route, ReadingQueries queries, Disclosure disclosure, ZoneId searchZone) {
        this.route = route;
        this.queries = queries;
        this.disclosure = disclosure;
        this.searchZone = searchZone;
    }

    void mount(Router router) {
        router.get("/fhir/Observation").handler(this::search);
        router.get("/fhir/Observation/:id").handler(this::read);
    }

    private void search(RoutingContext ctx) {
        Principal principal = Principal.of(ctx);
        List<String> named = FhirAccess.searchedPatients(ctx.queryParams());
        if (!route.allows(ctx, FhirAccess.search(principal, "Observation", named), SEARCH_SCOPES)) {
            return;
        }
        SearchParams.Parsed p = SearchParams.parse(ctx.queryParams(), searchZone);
        if (p.error() != null) {
            route.invalid(ctx, p.error());
            return;
        }
        AuditEntry audit =
                Auditor.entry(
                        ctx,
                        p.search().patientId(),
                        Interaction.SEARCH_TYPE,
                        "Observation",
                        null,
                        ObservationSearchset.shape(p));
        String base = FhirResponses.base(ctx);
        String mediaType = FhirResponses.mediaType(ctx);
        route.readDisclosed(
                ctx,
                audit,
                () -> disclosure.allowed(principal, p.search().patientId(), Disclosure.nowMicros()),
                allowed -> searchset(p, allowed, base, mediaType),
                page -> {
                    if (page == null) {
                        route.responses()
                                .error(
                                        ctx,
                                        403,
                                        IssueType.FORBIDDEN,
                                        "No consent of this patient permits disclosure of their data to you");
                    } else {
                        route.responses().send(ctx, 200, mediaType, page);
                    }
                });
    }

    /**
     * The page of the search, of the categories {@code allowed} only, encoded on this worker thread
     * rather than the event loop (a page of 1,000 is a megabyte).
     */
    private Buffer searchset(SearchParams.Parsed p, int allowed, String base, String mediaType)
            throws SQLException {
        ObservationSearch q = p.search();
        // the categories go into the SQL, so pages stay full and totals count only what is shown
        ObservationSearch disclosed = q.onlyCategories(allowed);
        boolean nothing = p.empty() || q.count() == 0 || p.countOnly();
        List<StoredReading> rows = nothing ? List.of() : queries.search(disclosed);
        Long total =
                switch (p.total()) {
                    case NONE -> null;
                    case ACCURATE -> p.empty() ? 0L : queries.count(disclosed);
                    case DEFAULT ->
                            p.countOnly()
                                    ? Long.valueOf(p.empty() ? 0 : queries.count(disclosed))
                                    : ObservationSearchset.pageTotal(q, rows.size());
                };
        long now = System.currentTimeMillis();
        return mediaType.equals(FhirResponses.JSON)
                ? searchset.json(base, p, rows, total, now)
                : route.responses().encode(searchset.page(base, p, rows, total, now), mediaType);
    }

    private void read(RoutingContext ctx) {
        Principal principal = Principal.of(ctx);
        if (!route.allows(ctx, FhirAccess.read(principal, "Observation"), READ_SCOPES)) {
            return;
        }
        String id = ctx.pathParam("id");
        // another patient's, or of a category not disclosed, answers like absent: a 403 would
        // confirm that the reading exists, and that the patient has data of that category; it is
        // recorded as refused for the patient it concerns
        route.run(
                ctx,
                () -> queries.read(id).map(r -> new Seen(r, refusal(principal, r))).orElse(null),
                seen -> seen == null ? null : seen.record(ctx),
                seen -> {
                    if (seen != null && seen.refusal() == null) {
                        String mediaType = FhirResponses.mediaType(ctx);
                        route.responses()
                                .send(ctx, 200, mediaType, encode(seen.reading(), mediaType));
                    } else {
                        route.notFound(ctx, "Observation");
                    }
                });
    }

    private Buffer encode(StoredReading r, String mediaType) {
        if (!mediaType.equals(FhirResponses.JSON)) {
            return route.responses().encode(renderer.render(r), mediaType);
        }
        JsonBuffer out = new JsonBuffer(1200);
        json.write(r, out);
        return Buffer.buffer(out.toByteArray());
    }

    /**
     * Why this caller may not see this reading, or null when it may. Worker thread: consent may
     * query.
     */
    private RefusalCode refusal(Principal principal, StoredReading r) {
        if (!FhirAccess.owns(principal, r.patientId())) {
            return RefusalCode.PATIENT_MISMATCH;
        }
        return (disclosure.allowed(principal, r.patientId(), Disclosure.nowMicros())
                                & r.type().dataCategory().bit())
                        == 0
                ? RefusalCode.CONSENT_REQUIRED
                : null;
    }

    /** A reading found, and why this caller may not see it (null when it may). */
    private record Seen(StoredReading reading, RefusalCode refusal) {

        AuditEntry record(RoutingContext ctx) {
            AuditEntry e =
                    Auditor.entry(
                            ctx,
                            reading.patientId(),
                            Interaction.READ,
                            "Observation",
                            reading.observationId(),
                            null);
            return refusal == null ? e : FhirRoute.refused(e, refusal);
        }
    }
}
