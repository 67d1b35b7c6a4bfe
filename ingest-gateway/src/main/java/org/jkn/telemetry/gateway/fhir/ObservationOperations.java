package org.jkn.telemetry.gateway.fhir;

import ca.uhn.fhir.parser.IParser;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.sql.SQLException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Parameters;
import org.jkn.telemetry.gateway.audit.Auditor;
import org.jkn.telemetry.gateway.auth.Principal;
import org.jkn.telemetry.gateway.consent.Disclosure;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.audit.AuditEntry;
import org.jkn.telemetry.store.audit.Interaction;
import org.jkn.telemetry.store.query.LatestQuery;
import org.jkn.telemetry.store.query.ReadingQueries;
import org.jkn.telemetry.store.query.ReadingSeries;
import org.jkn.telemetry.store.query.StatisticsQuery;
import org.jkn.telemetry.store.query.StatisticsResult;
import org.jkn.telemetry.store.query.StoredReading;

/**
 * {@code Observation/$lastn} and {@code Observation/$stats}, by GET or by POST of a Parameters
 * resource. Access is that of an Observation search: a patient token only for its own patient
 * (another patient: 403, as search), a clinician only for what the patient's consent discloses to
 * them (nothing: 403; some categories: only those, pushed down to the store as reading types).
 * Every call is recorded, refusals included, before it is answered. Thread-safe.
 */
final class ObservationOperations {

    private static final String SCOPES =
            "patient/Observation.rs for a patient's own data, user/Observation.rs for a clinician";
    private static final String NO_CONSENT =
            "No consent of this patient permits disclosure of their data to you";
    private static final int MAX_BODY_BYTES = 16 * 1024;

    private final FhirRoute route;
    private final ReadingQueries queries;
    private final Disclosure disclosure;
    private final ZoneId zone;
    private final LastnBundle lastnBundle = new LastnBundle();

    ObservationOperations(
            FhirRoute route, ReadingQueries queries, Disclosure disclosure, ZoneId zone) {
        this.route = route;
        this.queries = queries;
        this.disclosure = disclosure;
        this.zone = zone;
    }

    /** Mounts the routes; before {@code /fhir/Observation/:id}, which would take them for ids. */
    void mount(Router router) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES);
        router.get("/fhir/Observation/$lastn").handler(ctx -> lastn(ctx, ctx.queryParams()));
        router.post("/fhir/Observation/$lastn")
                .handler(body)
                .handler(ctx -> withBody(ctx, this::lastn));
        router.get("/fhir/Observation/$stats").handler(ctx -> stats(ctx, ctx.queryParams()));
        router.post("/fhir/Observation/$stats")
                .handler(body)
                .handler(ctx -> withBody(ctx, this::stats));
    }

    /** Reads a POSTed Parameters resource as the parameters GET would carry. */
    private void withBody(RoutingContext ctx, BiConsumer<RoutingContext, MultiMap> operation) {
        String type = ctx.request().getHeader("Content-Type");
        IParser parser =
                type != null && type.contains("xml")
                        ? route.responses().context().newXmlParser()
                        : route.responses().context().newJsonParser();
        IBaseResource resource;
        try {
            resource = parser.parseResource(ctx.body().asString("UTF-8"));
        } catch (RuntimeException e) {
            // an untrusted body: whatever the parser makes of it, the answer is a 400
            route.invalid(ctx, "The body must be a FHIR Parameters resource");
            return;
        }
        MultiMap params = resource instanceof Parameters p ? OperationParams.fromBody(p) : null;
        if (params == null) {
            route.invalid(
                    ctx,
                    "The body must be a FHIR Parameters resource of primitive values, Codings and Periods");
            return;
        }
        // _format may come in the query string; anything else there counts as if in the body
        params.addAll(ctx.queryParams());
        operation.accept(ctx, params);
    }

    private void lastn(RoutingContext ctx, MultiMap params) {
        Principal principal = Principal.of(ctx);
        if (!route.allows(
                ctx,
                FhirAccess.search(principal, "Observation", FhirAccess.searchedPatients(params)),
                SCOPES)) {
            return;
        }
        LastnParams.Parsed p = LastnParams.parse(params);
        if (p.error() != null) {
            route.invalid(ctx, p.error());
            return;
        }
        AuditEntry audit =
                Auditor.entry(
                        ctx, p.patientId(), Interaction.OPERATION, "Observation", null, p.shape());
        String mediaType = FhirResponses.mediaType(ctx);
        String base = FhirResponses.base(ctx);
        route.readDisclosed(
                ctx,
                audit,
                () -> disclosure.allowed(principal, p.patientId(), Disclosure.nowMicros()),
                allowed ->
                        lastnBundle.encode(route.responses(), base, latest(p, allowed), mediaType),
                bundle -> {
                    if (bundle == null) {
                        route.responses().error(ctx, 403, IssueType.FORBIDDEN, NO_CONSENT);
                    } else {
                        route.responses().send(ctx, 200, mediaType, bundle);
                    }
                });
    }

    /** The latest readings of the categories {@code allowed}. Worker thread. */
    private List<StoredReading> latest(LastnParams.Parsed p, int allowed) throws SQLException {
        List<ReadingType> types = new ArrayList<>();
        for (ReadingType t : p.types()) {
            if ((t.dataCategory().bit() & allowed) != 0) {
                types.add(t);
            }
        }
        return types.isEmpty()
                ? List.of()
                : queries.latest(new LatestQuery(p.patientId(), types, p.storedCodes(), p.max()));
    }

    private void stats(RoutingContext ctx, MultiMap params) {
        Principal principal = Principal.of(ctx);
        List<String> named = new ArrayList<>();
        for (String s : params.getAll("subject")) {
            named.add(s.startsWith("Patient/") ? s.substring("Patient/".length()) : s);
        }
        if (!route.allows(ctx, FhirAccess.search(principal, "Observation", named), SCOPES)) {
            return;
        }
        StatsParams.Parsed p = StatsParams.parse(params, zone, Disclosure.nowMicros());
        if (p.error() != null) {
            route.invalid(ctx, p.error());
            return;
        }
        AuditEntry audit =
                Auditor.entry(
                        ctx, p.patientId(), Interaction.OPERATION, "Observation", null, p.shape());
        boolean json = FhirResponses.JSON.equals(FhirResponses.negotiate(ctx));
        route.readDisclosed(
                ctx,
                audit,
                () -> disclosure.allowed(principal, p.patientId(), Disclosure.nowMicros()),
                allowed -> statistics(p, allowed, json),
                answer -> {
                    if (answer == null) {
                        route.responses().error(ctx, 403, IssueType.FORBIDDEN, NO_CONSENT);
                    } else if (answer.tooCostly()) {
                        route.responses()
                                .error(
                                        ctx,
                                        400,
                                        IssueType.TOOCOSTLY,
                                        "Median and percentiles would hold more than "
                                                + StatisticsQuery.MAX_KEPT_VALUES
                                                + " values: ask for a shorter period, or without them");
                    } else if (answer.json() != null) {
                        ctx.response()
                                .setStatusCode(200)
                                .putHeader("Content-Type", FhirResponses.JSON + ";charset=utf-8")
                                .end(Buffer.buffer(answer.json()));
                    } else {
                        route.responses().send(ctx, 200, answer.parameters());
                    }
                });
    }

    /**
     * The statistics as JSON, or as Parameters for the other formats; neither when too costly. (The
     * answer itself is null when consent refuses.)
     */
    private record StatsAnswer(byte[] json, Parameters parameters) {

        boolean tooCostly() {
            return json == null && parameters == null;
        }
    }

    /** Worker thread: consent may query, blocks are opened and the answer is built here. */
    private StatsAnswer statistics(StatsParams.Parsed p, int allowed, boolean json)
            throws SQLException {
        List<StatsSeries> series = new ArrayList<>();
        List<ReadingSeries> stored = new ArrayList<>();
        for (StatsSeries s : p.series()) {
            StatsSeries disclosed = s.disclosed(allowed);
            series.add(disclosed);
            stored.add(disclosed.series());
        }
        StatisticsQuery q =
                new StatisticsQuery(
                        p.patientId(),
                        stored,
                        p.fromMicros(),
                        p.toMicros(),
                        p.intervalMicros(),
                        p.keepValues());
        StatisticsResult result = queries.statistics(q);
        if (result.tooManyValues()) {
            return new StatsAnswer(null, null);
        }
        return json
                ? new StatsAnswer(StatisticsJson.write(p.patientId(), p, series, result, q), null)
                : new StatsAnswer(
                        null, StatisticsParameters.build(p.patientId(), p, series, result, q));
    }
}
