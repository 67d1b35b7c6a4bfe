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
import org.jkn.telemetry.gateway.auth.RefusalCode;
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
        route.run(
                ctx,
                route.recordingFailure(audit, () -> latest(principal, p)),
                rows ->
                        rows == null
                                ? FhirRoute.refused(audit, RefusalCode.CONSENT_REQUIRED)
                                : audit,
                rows -> {
                    if (rows == null) {
                        route.responses().error(ctx, 403, IssueType.FORBIDDEN, NO_CONSENT);
                    } else {
                        String mediaType = FhirResponses.mediaType(ctx);
                        route.responses()
                                .send(
                                        ctx,
                                        200,
                                        mediaType,
                                        lastnBundle.encode(
                                                route.responses(),
                                                FhirResponses.base(ctx),
                                                rows,
                                                mediaType));
                    }
                });
    }

    /**
     * The latest readings the caller may see, or null when no consent discloses any of the
     * patient's data to them. Worker thread: consent may query.
     */
    private List<StoredReading> latest(Principal principal, LastnParams.Parsed p)
            throws SQLException {
        int allowed = disclosure.allowed(principal, p.patientId(), Disclosure.nowMicros());
        if (allowed == 0) {
            return null;
        }
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
        route.run(
                ctx,
                route.recordingFailure(audit, () -> statistics(principal, p, json)),
                answer ->
                        answer == null
                                ? FhirRoute.refused(audit, RefusalCode.CONSENT_REQUIRED)
                                : audit,
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
    private StatsAnswer statistics(Principal principal, StatsParams.Parsed p, boolean json)
            throws SQLException {
        int allowed = disclosure.allowed(principal, p.patientId(), Disclosure.nowMicros());
        if (allowed == 0) {
            return null;
        }
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
