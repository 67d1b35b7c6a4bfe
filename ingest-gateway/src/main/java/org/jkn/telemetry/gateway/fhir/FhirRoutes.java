package org.jkn.telemetry.gateway.fhir;

import ca.uhn.fhir.context.FhirContext;
import io.vertx.ext.web.Router;
import java.time.ZoneId;
import java.util.Date;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.jkn.telemetry.gateway.auth.OAuthEndpoints;
import org.jkn.telemetry.gateway.consent.ConsentApi;
import org.jkn.telemetry.gateway.consent.Disclosure;
import org.jkn.telemetry.gateway.consent.TokenConsentAccess;
import org.jkn.telemetry.gateway.fhir.export.ExportJobs;
import org.jkn.telemetry.gateway.fhir.export.ExportRun;
import org.jkn.telemetry.gateway.fhir.export.StreamingObservationLines;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.jkn.telemetry.store.consent.ConsentDecisions;
import org.jkn.telemetry.store.consent.ConsentStore;
import org.jkn.telemetry.store.query.ReadingQueries;

/**
 * The FHIR R4 REST API under {@code /fhir}: format negotiation, {@code /fhir/metadata}, then each
 * resource ({@link ObservationApi}, {@link PatientApi}, {@link ConsentApi}, {@link ErasureApi},
 * {@link AuditEventApi}), the bulk export ({@link BulkExportApi}), then a 404 for anything else.
 * Every resource runs its requests through the one {@link FhirRoute}, which records, refuses and
 * fails them the same way.
 *
 * <p>Every route but {@code /fhir/metadata} runs after authentication; {@link FhirAccess} decides
 * from the token who may search or read what, and {@link Disclosure} narrows what a clinician sees
 * to the categories the patient's consent discloses to them.
 */
public final class FhirRoutes {

    private final FhirRoute route;
    private final CapabilityStatement capabilities;
    private final ObservationApi observations;
    private final ObservationOperations observationOperations;
    private final PatientApi patients;
    private final ConsentApi consents;
    private final ErasureApi erasure;
    private final AuditEventApi auditEvents;
    private final BulkExportApi bulkExport;

    /**
     * What the FHIR resources read and write.
     *
     * @param queries the stored readings
     * @param consentStore where Consents are kept
     * @param decisions the cached consent decisions, refreshed on every Consent change
     * @param pseudonymizer NIK to patient id
     */
    public record Sources(
            ReadingQueries queries,
            ConsentStore consentStore,
            ConsentDecisions decisions,
            Pseudonymizer pseudonymizer) {}

    /**
     * @param eraser the erasure of a patient, with what else must forget the patient
     * @param exportJobs the bulk exports of this instance
     * @param oauth the identity provider's endpoints, for the CapabilityStatement
     */
    public FhirRoutes(
            FhirRoute route,
            Sources sources,
            ZoneId searchZone,
            ErasureApi.Eraser eraser,
            ExportJobs exportJobs,
            OAuthEndpoints oauth) {
        this.route = route;
        this.capabilities = CapabilityStatements.build(new Date(), oauth);
        ReadingQueries queries = sources.queries();
        ConsentStore consentStore = sources.consentStore();
        ConsentDecisions decisions = sources.decisions();
        Pseudonymizer pseudonymizer = sources.pseudonymizer();
        this.observations =
                new ObservationApi(route, queries, new Disclosure(decisions), searchZone);
        this.observationOperations =
                new ObservationOperations(route, queries, new Disclosure(decisions), searchZone);
        this.patients = new PatientApi(route, queries, pseudonymizer);
        this.consents =
                new ConsentApi(
                        route,
                        consentStore,
                        decisions,
                        pseudonymizer,
                        searchZone,
                        new TokenConsentAccess());
        this.erasure = new ErasureApi(route, queries, eraser);
        this.auditEvents = new AuditEventApi(route, searchZone);
        FhirContext fhir = route.responses().context();
        this.bulkExport =
                new BulkExportApi(
                        route,
                        exportJobs,
                        new ExportRun.Sources(
                                queries,
                                new Disclosure(decisions),
                                route.auditor(),
                                fhir,
                                StreamingObservationLines::new,
                                exportJobs.fileMaxResources()),
                        consentStore);
    }

    public void mount(Router router) {
        FhirResponses responses = route.responses();
        router.route("/fhir/*")
                .handler(
                        ctx -> {
                            if (FhirResponses.negotiate(ctx) == null) {
                                responses.error(
                                        ctx,
                                        406,
                                        IssueType.NOTSUPPORTED,
                                        "Supported formats: application/fhir+json, application/fhir+xml");
                                return;
                            }
                            ctx.next();
                        });
        router.get("/fhir/metadata").handler(ctx -> responses.send(ctx, 200, capabilities));
        bulkExport.mount(router);
        // before Observation/:id, which would read $lastn and $stats as ids
        observationOperations.mount(router);
        observations.mount(router);
        patients.mount(router);
        consents.mount(router);
        erasure.mount(router);
        auditEvents.mount(router);
        router.route("/fhir/*")
                .handler(
                        ctx ->
                                responses.error(
                                        ctx,
                                        404,
                                        IssueType.NOTSUPPORTED,
                                        "Not supported here; see /fhir/metadata for what is"));
    }
}
