package org.jkn.telemetry.gateway.fhir;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Patient;
import org.jkn.telemetry.gateway.audit.Auditor;
import org.jkn.telemetry.gateway.audit.RefusalRecorder;
import org.jkn.telemetry.gateway.auth.Principal;
import org.jkn.telemetry.gateway.auth.RefusalCode;
import org.jkn.telemetry.normalizer.identity.Nik;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.jkn.telemetry.store.audit.AuditEntry;
import org.jkn.telemetry.store.audit.Interaction;
import org.jkn.telemetry.store.query.ReadingQueries;

/**
 * {@code GET /fhir/Patient?identifier={NIK system}|{NIK}} and {@code GET /fhir/Patient/{id}}. The
 * NIK is not stored: a search maps it to its pseudonym, which is the Patient's id, and a Patient
 * carries only that id. Another patient's record read by id answers 404, like an absent one. Every
 * search and read is recorded before it is answered. Thread-safe.
 */
final class PatientApi {

    private static final String SCOPES =
            "patient/Patient.rs for the patient's own record, user/Patient.rs for a clinician";

    private final FhirRoute route;
    private final ReadingQueries queries;
    private final Pseudonymizer pseudonymizer;

    PatientApi(FhirRoute route, ReadingQueries queries, Pseudonymizer pseudonymizer) {
        this.route = route;
        this.queries = queries;
        this.pseudonymizer = pseudonymizer;
    }

    void mount(Router router) {
        router.get("/fhir/Patient").handler(this::search);
        router.get("/fhir/Patient/:id").handler(this::read);
    }

    private void search(RoutingContext ctx) {
        Principal principal = Principal.of(ctx);
        if (!route.allows(ctx, FhirAccess.scope(principal, "Patient", 's'), SCOPES)) {
            return;
        }
        String nik = searchedNik(ctx);
        if (nik == null) {
            return;
        }
        String patientId = pseudonymizer.patientId(nik);
        // so a refusal below is recorded under this patient
        ctx.put(RefusalRecorder.PATIENT, patientId);
        // a patient asking whether another NIK is a participant: that alone is personal data
        if (!route.allows(
                ctx, FhirAccess.search(principal, "Patient", List.of(patientId)), SCOPES)) {
            return;
        }
        // the trail keeps the pseudonym the NIK maps to, never the NIK
        AuditEntry audit =
                Auditor.entry(
                        ctx,
                        patientId,
                        Interaction.SEARCH_TYPE,
                        "Patient",
                        null,
                        "Patient?identifier=" + Nik.SYSTEM + "|*");
        route.run(
                ctx,
                route.recordingFailure(audit, () -> queries.patientExists(patientId)),
                exists -> audit,
                exists -> route.responses().send(ctx, 200, searchset(ctx, patientId, exists)));
    }

    /**
     * The NIK the search names, or null when the request is answered here: 400 for parameters this
     * search does not take, an empty searchset for an identifier system not held here.
     */
    private String searchedNik(RoutingContext ctx) {
        for (String name : ctx.queryParams().names()) {
            if (!name.equals("identifier") && !name.equals("_format")) {
                route.invalid(ctx, "Patient search supports identifier only");
                return null;
            }
        }
        List<String> ids = ctx.queryParams().getAll("identifier");
        if (ids.size() != 1) {
            route.invalid(
                    ctx, "Exactly one identifier parameter is required: " + Nik.SYSTEM + "|{NIK}");
            return null;
        }
        String token = ids.get(0);
        int bar = token.indexOf('|');
        String system = bar >= 0 ? token.substring(0, bar) : null;
        String value = bar >= 0 ? token.substring(bar + 1) : token;
        if (system != null && !system.isEmpty() && !system.equals(Nik.SYSTEM)) {
            // no other identifier system is held here
            route.responses()
                    .send(ctx, 200, new Bundle().setType(Bundle.BundleType.SEARCHSET).setTotal(0));
            return null;
        }
        if (!Nik.isValid(value)) {
            route.invalid(ctx, "identifier value must be a valid 16-digit NIK");
            return null;
        }
        return value;
    }

    private static Bundle searchset(RoutingContext ctx, String patientId, boolean exists) {
        Bundle b = new Bundle().setType(Bundle.BundleType.SEARCHSET);
        if (exists) {
            b.addEntry()
                    .setFullUrl(FhirResponses.base(ctx) + "/Patient/" + patientId)
                    .setResource(patient(patientId))
                    .getSearch()
                    .setMode(Bundle.SearchEntryMode.MATCH);
        }
        b.setTotal(exists ? 1 : 0);
        return b;
    }

    private void read(RoutingContext ctx) {
        Principal principal = Principal.of(ctx);
        if (!route.allows(ctx, FhirAccess.read(principal, "Patient"), SCOPES)) {
            return;
        }
        String id = ctx.pathParam("id");
        if (!SearchParams.isFhirId(id)) {
            route.notFound(ctx, "Patient");
            return;
        }
        if (!FhirAccess.owns(principal, id)) {
            readOther(ctx, id);
            return;
        }
        route.run(
                ctx,
                () -> queries.patientExists(id) ? 200 : queries.patientErased(id) ? 410 : 404,
                status ->
                        status == 200
                                ? Auditor.entry(ctx, id, Interaction.READ, "Patient", id, null)
                                : null,
                status -> {
                    if (status == 200) {
                        route.responses().send(ctx, 200, patient(id));
                    } else if (status == 410) {
                        route.responses().error(ctx, 410, IssueType.DELETED, "Patient erased");
                    } else {
                        route.notFound(ctx, "Patient");
                    }
                });
    }

    /**
     * Another patient's record: answered as absent, recorded as refused when the id can be a
     * patient. The record is a best effort, as for any refusal: the answer discloses nothing.
     */
    private void readOther(RoutingContext ctx, String id) {
        AuditEntry refused =
                Auditor.entry(
                        ctx, id, Interaction.READ, "Patient", Auditor.patientOrNull(id), null);
        route.refuse(
                ctx,
                refused,
                RefusalCode.PATIENT_MISMATCH,
                nothing -> route.notFound(ctx, "Patient"));
    }

    /** The NIK is not stored, so a Patient carries only its pseudonymous id. */
    private static Patient patient(String id) {
        Patient p = new Patient();
        p.setId(id);
        p.setActive(true);
        return p;
    }
}
