package org.jkn.telemetry.gateway.fhir;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.jkn.telemetry.gateway.audit.Auditor;
import org.jkn.telemetry.gateway.auth.Principal;
import org.jkn.telemetry.gateway.auth.RefusalCode;
import org.jkn.telemetry.store.audit.AuditEntry;
import org.jkn.telemetry.store.audit.AuditOutcome;
import org.jkn.telemetry.store.audit.Interaction;
import org.jkn.telemetry.store.crypto.PatientErasure;
import org.jkn.telemetry.store.db.TransactionStep;
import org.jkn.telemetry.store.query.ReadingQueries;

/**
 * {@code DELETE /fhir/Patient/{id}}: erases the patient by crypto-shredding. Every reading is
 * unreadable when this answers; the rows are deleted later by the background job. Allowed to the
 * patient's own token and to admin tokens; the AuditEvent of an erasure belongs in {@link
 * PatientErasure}'s caller here, the one place erasures happen over HTTP. Deleting again is 200 too
 * (FHIR R4 §3.1.0.7.1: deleting a deleted resource succeeds); an id never seen is 404. Thread-safe.
 */
public final class ErasureApi {

    /**
     * Erases a patient (crypto-shredding), with {@code alsoIfFound} in the erasure's transaction;
     * blocking.
     */
    @FunctionalInterface
    public interface Eraser {
        PatientErasure.Result erase(String patientId, TransactionStep alsoIfFound) throws Exception;
    }

    private final FhirRoute route;
    private final ReadingQueries queries;
    private final Eraser eraser;

    ErasureApi(FhirRoute route, ReadingQueries queries, Eraser eraser) {
        this.route = route;
        this.queries = queries;
        this.eraser = eraser;
    }

    void mount(Router router) {
        router.delete("/fhir/Patient/:id").handler(this::erase);
    }

    private void erase(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        Principal principal = Principal.of(ctx);
        if (principal == null || !(principal.isAdmin() || principal.isPatient(id))) {
            route.forbid(
                    ctx,
                    RefusalCode.ERASURE_NOT_ALLOWED,
                    "only the patient itself or an admin (telemetry.admin) may erase a patient");
            return;
        }
        if (!SearchParams.isFhirId(id)) {
            route.notFound(ctx, "Patient");
            return;
        }
        // the erasure's record is its proof: committed in the erasure's own transaction, and kept
        // (audit_events outlives the patient)
        AuditEntry audit =
                Auditor.entry(
                        ctx, id, Interaction.DELETE, "Patient", Auditor.patientOrNull(id), null);
        route.run(
                ctx,
                () -> erased(id, audit),
                erased -> {
                    if (!erased) {
                        route.notFound(ctx, "Patient");
                        return;
                    }
                    route.metrics().erased();
                    route.responses().send(ctx, 200, erasedOutcome());
                });
    }

    /**
     * Erases the patient, its record in the erasure's transaction; true when erased now or before.
     * Worker thread.
     */
    private boolean erased(String id, AuditEntry audit) throws Exception {
        PatientErasure.Result r;
        try {
            r = eraser.erase(id, route.auditor().recordIn(audit));
        } catch (Exception e) {
            if (audit.patientId() != null) {
                route.auditor()
                        .recordFailure(audit, AuditOutcome.SERIOUS_FAILURE, "erasure-failed");
            }
            throw e;
        }
        if (r.found()) {
            return true;
        }
        // deleting again: recorded, and 200 as FHIR says
        boolean erasedBefore = queries.patientErased(id);
        if (erasedBefore) {
            route.auditor().record(audit);
        }
        return erasedBefore;
    }

    private static OperationOutcome erasedOutcome() {
        OperationOutcome oo = new OperationOutcome();
        oo.addIssue()
                .setSeverity(OperationOutcome.IssueSeverity.INFORMATION)
                .setCode(IssueType.INFORMATIONAL)
                .setDiagnostics(
                        "Patient erased: the data keys are destroyed and every reading is unreadable; "
                                + "the stored rows are deleted in the background");
        return oo;
    }
}
