package org.jkn.telemetry.gateway.consent;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.ZoneId;
import java.util.List;
import org.jkn.telemetry.gateway.audit.Auditor;
import org.jkn.telemetry.gateway.auth.RefusalCode;
import org.jkn.telemetry.gateway.fhir.FhirRoute;
import org.jkn.telemetry.gateway.fhir.SearchParams;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.jkn.telemetry.store.audit.AuditEntry;
import org.jkn.telemetry.store.audit.Interaction;
import org.jkn.telemetry.store.consent.ConsentDecisions;
import org.jkn.telemetry.store.consent.ConsentStore;
import org.jkn.telemetry.store.consent.StoredConsent;

/**
 * {@code /fhir/Consent}: create, update, read, delete and search by patient. Every change ({@link
 * ConsentChanges}) is committed with its compiled grants, then the patient's cached decision is
 * replaced before the answer is sent, so the next batch and the next read on this node see it.
 * Database work runs on worker threads.
 *
 * <p>Answers: 201 / 200 with the stored Consent (id, {@code meta.versionId}, ETag); 400 for a body
 * that is not a FHIR Consent; 413, 415; 422 for a Consent of a shape this server does not enforce;
 * 404; 409 when another change came first, 412 for a stale {@code If-Match}. Errors are
 * OperationOutcomes.
 */
public final class ConsentApi {

    /** Consents one patient may hold; a real patient has a handful. */
    static final int MAX_PER_PATIENT = 100;

    private final FhirRoute route;
    private final ConsentStore store;
    private final ConsentPermissions permissions;
    private final ConsentVersions versions;
    private final ConsentChanges changes;

    /**
     * @param route records every create, update, delete, read and search (the trail the patient can
     *     list)
     */
    public ConsentApi(
            FhirRoute route,
            ConsentStore store,
            ConsentDecisions decisions,
            Pseudonymizer pseudonymizer,
            ZoneId zone,
            ConsentAccess access) {
        this.route = route;
        this.store = store;
        this.permissions = new ConsentPermissions(route, access);
        this.versions = new ConsentVersions(route.responses());
        this.changes =
                new ConsentChanges(
                        route,
                        store,
                        decisions,
                        new ConsentRules(pseudonymizer, zone),
                        permissions,
                        versions);
    }

    /** Mounts the routes; call after the FHIR format negotiation and before the FHIR catch-all. */
    public void mount(Router router) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(ConsentBodies.MAX_BYTES);
        router.post("/fhir/Consent").handler(body).handler(changes::create);
        router.put("/fhir/Consent/:id").handler(body).handler(changes::update);
        router.get("/fhir/Consent/:id").handler(this::read);
        router.delete("/fhir/Consent/:id").handler(changes::delete);
        router.get("/fhir/Consent").handler(this::search);
    }

    private void read(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (!permissions.allowed(ctx, null, 'r')) {
            return;
        }
        // whom a patient shares with is personal data too: each look is recorded before it is
        // answered, a refused one (another patient's Consent, answered as absent) included
        route.run(
                ctx,
                () -> store.find(id),
                found -> found.map(c -> readRecord(ctx, c, id)).orElse(null),
                found -> {
                    if (found.isEmpty() || !permissions.visible(ctx, found.get(), 'r')) {
                        route.notFound(ctx, "Consent");
                        return;
                    }
                    versions.send(ctx, 200, found.get());
                });
    }

    private AuditEntry readRecord(RoutingContext ctx, StoredConsent c, String id) {
        AuditEntry e = Auditor.entry(ctx, c.patientId(), Interaction.READ, "Consent", id, null);
        return permissions.visible(ctx, c, 'r')
                ? e
                : FhirRoute.refused(e, RefusalCode.PATIENT_MISMATCH);
    }

    private void search(RoutingContext ctx) {
        String patientId = searchedPatient(ctx);
        if (patientId == null || !permissions.allowed(ctx, patientId, 's')) {
            return;
        }
        route.run(
                ctx,
                () -> store.byPatient(patientId, MAX_PER_PATIENT),
                found ->
                        Auditor.entry(
                                ctx, patientId, Interaction.SEARCH_TYPE, "Consent", null, null),
                found -> versions.sendSearchset(ctx, patientId, found));
    }

    /** The patient id the search names, or null when it was answered 400. */
    private String searchedPatient(RoutingContext ctx) {
        for (String name : ctx.queryParams().names()) {
            if (!name.equals("patient") && !name.equals("_format")) {
                route.invalid(ctx, "Consent search supports patient only");
                return null;
            }
        }
        List<String> patients = ctx.queryParams().getAll("patient");
        String patient = patients.size() == 1 ? patients.get(0) : "";
        if (patient.startsWith("Patient/")) {
            patient = patient.substring("Patient/".length());
        }
        if (!SearchParams.isFhirId(patient)) {
            route.invalid(
                    ctx, "Exactly one patient parameter is required: a Patient id or Patient/{id}");
            return null;
        }
        return patient;
    }
}
