package org.jkn.telemetry.gateway.wiring;

import ca.uhn.fhir.context.FhirContext;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import org.jkn.telemetry.gateway.audit.Auditor;
import org.jkn.telemetry.gateway.audit.RefusalRecorder;
import org.jkn.telemetry.gateway.auth.AuthResponses;
import org.jkn.telemetry.gateway.auth.Authentication;
import org.jkn.telemetry.gateway.auth.SmartConfiguration;
import org.jkn.telemetry.gateway.config.GatewayConfig;
import org.jkn.telemetry.gateway.fhir.FhirResponses;
import org.jkn.telemetry.gateway.fhir.FhirRoute;
import org.jkn.telemetry.gateway.fhir.FhirRoutes;
import org.jkn.telemetry.gateway.fhir.export.ExportJobs;
import org.jkn.telemetry.gateway.http.DevicesHandler;
import org.jkn.telemetry.gateway.http.ReadingsHandler;
import org.jkn.telemetry.gateway.ingest.BatchIngest;
import org.jkn.telemetry.gateway.ops.DeadLettersHandler;
import org.jkn.telemetry.gateway.ops.HealthHandler;
import org.jkn.telemetry.gateway.ops.Metrics;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.jkn.telemetry.store.audit.AuditLog;
import org.jkn.telemetry.store.consent.ConsentDecisions;
import org.jkn.telemetry.store.consent.ConsentStore;
import org.jkn.telemetry.store.crypto.PatientErasure;
import org.jkn.telemetry.store.crypto.ReadingCrypto;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.device.DeviceRegistry;
import org.jkn.telemetry.store.journal.DeadLetters;
import org.jkn.telemetry.store.query.ReadingQueries;

/**
 * The HTTP router: error handlers, then authentication (refusals under {@code /fhir} audited), then
 * the routes of devices, readings, the FHIR and Consent APIs, health and metrics, in that order.
 * Opens nothing: {@link HttpListeners} serves the router.
 */
public final class HttpRoutes {

    private final Vertx vertx;
    private final Router router;
    private final GatewayConfig config;
    private final Pseudonymizer pseudonymizer;
    private final Metrics metrics;
    private final FhirResponses fhirResponses;
    private final AuthResponses authResponses;
    private final Auditor auditor;

    private HttpRoutes(
            Vertx vertx,
            GatewayConfig config,
            Pseudonymizer pseudonymizer,
            Metrics metrics,
            FhirResponses fhirResponses,
            AuthResponses authResponses,
            Auditor auditor) {
        this.vertx = vertx;
        this.router = Router.router(vertx);
        this.config = config;
        this.pseudonymizer = pseudonymizer;
        this.metrics = metrics;
        this.fhirResponses = fhirResponses;
        this.authResponses = authResponses;
        this.auditor = auditor;
    }

    public static Router build(
            Vertx vertx,
            GatewayConfig config,
            Authentication authentication,
            Pseudonymizer pseudonymizer,
            AuditLog auditLog,
            StoreWiring store,
            IngestWiring ingest)
            throws IOException {
        FhirContext fhir = FhirContext.forR4Cached();
        FhirResponses fhirResponses = new FhirResponses(fhir);
        Metrics metrics = store.metrics();
        HttpRoutes routes =
                new HttpRoutes(
                        vertx,
                        config,
                        pseudonymizer,
                        metrics,
                        fhirResponses,
                        new AuthResponses(fhirResponses, metrics),
                        new Auditor(auditLog));
        ErrorHandlers.install(routes.router, fhirResponses, metrics);
        routes.mountAuthentication(authentication);
        routes.mountDevices(ingest.devices());
        routes.mountReadings(ingest.batchIngest());
        routes.mountFhir(
                store.database(),
                store.crypto(),
                ingest.consentStore(),
                ingest.consents(),
                store.erasure(),
                ingest.devices());
        routes.mountOps(store);
        return routes.router;
    }

    private void mountAuthentication(Authentication authentication) {
        // before authentication, so the 401s it answers are recorded too
        router.route("/fhir/*").handler(this::timeFhirRequest);
        router.route("/fhir/*").handler(new RefusalRecorder(vertx, auditor));
        authentication.mount(vertx, router, authResponses, pseudonymizer);
        new SmartConfiguration(authentication.config()).mount(router);
    }

    private void mountDevices(DeviceRegistry devices) {
        new DevicesHandler(vertx, devices, pseudonymizer, authResponses).mount(router);
    }

    private void mountReadings(BatchIngest ingest) {
        router.post("/v1/readings")
                .handler(ctx -> ReadingsHandler.requireUploadScope(ctx, authResponses));
        router.post("/v1/readings")
                .handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()))
                .handler(new ReadingsHandler(vertx, ingest, authResponses));
    }

    private void mountFhir(
            Database database,
            ReadingCrypto crypto,
            ConsentStore consentStore,
            ConsentDecisions consents,
            PatientErasure erasure,
            DeviceRegistry devices)
            throws IOException {
        ReadingQueries queries =
                new ReadingQueries(database.dataSource(), crypto, config.limits().maxPeriod());
        new FhirRoutes(
                        new FhirRoute(vertx, fhirResponses, authResponses, auditor, metrics),
                        new FhirRoutes.Sources(queries, consentStore, consents, pseudonymizer),
                        config.searchZone(),
                        (patientId, alsoIfFound) -> {
                            PatientErasure.Result r = erasure.erase(patientId, alsoIfFound);
                            // their live MQTT connections close at once
                            r.registeredDevices().forEach(devices::forget);
                            consents.invalidate(patientId);
                            return r;
                        },
                        ExportJobs.start(vertx, config.export()),
                        config.auth().endpoints())
                .mount(router);
    }

    private void mountOps(StoreWiring store) {
        DeadLetters deadLetters = new DeadLetters(store.database().dataSource(), store.crypto());
        new DeadLettersHandler(vertx, deadLetters, authResponses).mount(router);
        HealthHandler health =
                new HealthHandler(
                        vertx, store.database(), store.drainer(), store.journal(), deadLetters);
        router.get("/health").handler(health::health);
        router.get("/health/live").handler(health::live);
        router.get("/metrics")
                .handler(
                        ctx ->
                                ctx.response()
                                        .putHeader(
                                                "Content-Type",
                                                "text/plain; version=0.0.4; charset=utf-8")
                                        .end(metrics.scrape()));
    }

    /** Times every FHIR request to its last byte, whatever answers it (refusals included). */
    private void timeFhirRequest(RoutingContext ctx) {
        long started = System.nanoTime();
        ctx.addBodyEndHandler(
                done ->
                        metrics.fhirRequest(
                                resourceOf(ctx.request().path()),
                                ctx.request().method().name(),
                                ctx.response().getStatusCode(),
                                System.nanoTime() - started));
        ctx.next();
    }

    /** The resource a FHIR path names, from a fixed set (metric tags must not grow with input). */
    static String resourceOf(String path) {
        int from = "/fhir/".length();
        int to = from;
        while (to < path.length() && Character.isLetter(path.charAt(to))) {
            to++;
        }
        String first = path.substring(Math.min(from, path.length()), to);
        return switch (first) {
            case "Observation", "Patient", "Consent", "AuditEvent", "metadata" -> first;
            default -> "other";
        };
    }
}
