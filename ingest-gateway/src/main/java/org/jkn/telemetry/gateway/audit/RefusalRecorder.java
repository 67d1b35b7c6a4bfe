package org.jkn.telemetry.gateway.audit;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.jkn.telemetry.gateway.auth.RefusalCode;
import org.jkn.telemetry.store.audit.AuditEntry;
import org.jkn.telemetry.store.audit.AuditOutcome;
import org.jkn.telemetry.store.audit.Interaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records refused requests for a patient's data: a {@code 401} (no or a bad token) or {@code 403}
 * (scope, another patient, consent) of a FHIR Observation, Patient or AuditEvent request that names
 * a patient, as an AuditEvent with outcome 4 (minor failure), so the patient sees the attempts too.
 *
 * <p>Mounted on {@code /fhir/*} before authentication, it only registers an end handler. The record
 * is written just after the refusal is sent, not before: a refusal discloses nothing, and an
 * unauthenticated caller must not be able to hold the answer hostage to a database write. A request
 * that already wrote its own record (see {@link #RECORDED}) is not recorded twice; a failed write
 * is logged and counted, never answered.
 */
public final class RefusalRecorder implements Handler<RoutingContext> {

    /** Set in the context by a handler that recorded the request itself. */
    public static final String RECORDED = "telemetry.audit.recorded";

    /**
     * The patient (pseudonym) a handler found the request is about, when the request does not say
     * it itself.
     */
    public static final String PATIENT = "telemetry.audit.patient";

    /**
     * The {@link RefusalCode} a handler may set for its refusal (e.g. {@code consent-required}).
     */
    public static final String REASON = "telemetry.audit.reason";

    private static final Logger log = LoggerFactory.getLogger(RefusalRecorder.class);

    private final Vertx vertx;
    private final Auditor auditor;

    public RefusalRecorder(Vertx vertx, Auditor auditor) {
        this.vertx = vertx;
        this.auditor = auditor;
    }

    @Override
    public void handle(RoutingContext ctx) {
        ctx.addEndHandler(
                v -> {
                    int status = ctx.response().getStatusCode();
                    if ((status != 401 && status != 403) || ctx.get(RECORDED) != null) {
                        return;
                    }
                    AuditEntry entry = refusal(ctx, status);
                    if (entry != null) {
                        vertx.executeBlocking(() -> auditor.record(entry), false)
                                .onFailure(
                                        e ->
                                                log.warn(
                                                        "a refused request could not be recorded: {}",
                                                        e.getClass().getSimpleName()));
                    }
                });
        ctx.next();
    }

    /** The record of a refusal, or null when the request names no patient. */
    private static AuditEntry refusal(RoutingContext ctx, int status) {
        String path = ctx.normalizedPath();
        String type;
        Interaction interaction;
        String patient;
        String resourceId = null;
        if (path.equals("/fhir/Observation")
                || path.equals("/fhir/Patient")
                || path.equals("/fhir/AuditEvent")) {
            type = path.substring("/fhir/".length());
            interaction = Interaction.SEARCH_TYPE;
            String found = ctx.get(PATIENT);
            patient =
                    found != null
                            ? Auditor.patientOrNull(found)
                            : searched(
                                    ctx.queryParams().getAll("patient"),
                                    ctx.queryParams().getAll("subject"));
        } else if (path.equals("/fhir/Observation/$lastn")
                || path.equals("/fhir/Observation/$stats")) {
            type = "Observation";
            interaction = Interaction.OPERATION;
            String found = ctx.get(PATIENT);
            patient =
                    found != null
                            ? Auditor.patientOrNull(found)
                            : searched(
                                    ctx.queryParams().getAll("patient"),
                                    ctx.queryParams().getAll("subject"));
        } else if (path.startsWith("/fhir/Patient/")) {
            type = "Patient";
            interaction =
                    HttpMethod.DELETE.equals(ctx.request().method())
                            ? Interaction.DELETE
                            : Interaction.READ;
            patient = Auditor.patientOrNull(path.substring("/fhir/Patient/".length()));
            resourceId = patient;
        } else {
            return null; // an Observation id names no patient until it is read, which a refusal
            // prevents
        }
        if (patient == null) {
            return null;
        }
        RefusalCode reason = ctx.get(REASON);
        if (reason == null) {
            reason = status == 401 ? RefusalCode.TOKEN_REFUSED : RefusalCode.ACCESS_REFUSED;
        }
        return Auditor.entry(ctx, patient, interaction, type, resourceId, null)
                .withOutcome(AuditOutcome.MINOR_FAILURE, reason.code());
    }

    private static String searched(List<String> patient, List<String> subject) {
        if (patient.size() + subject.size() != 1) {
            return null;
        }
        String v = patient.isEmpty() ? subject.get(0) : patient.get(0);
        return Auditor.patientOrNull(
                v.startsWith("Patient/") ? v.substring("Patient/".length()) : v);
    }
}
