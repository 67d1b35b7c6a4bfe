package org.jkn.telemetry.gateway.fhir;

import io.vertx.core.AsyncResult;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Function;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.jkn.telemetry.gateway.audit.Auditor;
import org.jkn.telemetry.gateway.audit.RefusalRecorder;
import org.jkn.telemetry.gateway.auth.AuthResponses;
import org.jkn.telemetry.gateway.auth.RefusalCode;
import org.jkn.telemetry.gateway.ops.Metrics;
import org.jkn.telemetry.store.audit.AuditEntry;
import org.jkn.telemetry.store.audit.AuditLog;
import org.jkn.telemetry.store.audit.AuditOutcome;
import org.jkn.telemetry.store.crypto.CryptoFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every FHIR route does around its own work, as HAPI's interceptors do around a resource
 * provider: it answers refusals with their {@link RefusalCode} (kept for the refusal's audit
 * record), runs the blocking work on a worker thread, commits the audit record the handler makes of
 * the result before anything is answered, and maps failures to OperationOutcomes. A handler states
 * only its checks, its work, its audit entry and its answer.
 *
 * <p>Failures: a stored reading that fails to decrypt fails the request closed (500, its stable
 * code in the OperationOutcome, counted in {@code telemetry_decryption_failures_total}); any other
 * failure, the audit record's included, is a 503 and nothing of the result is disclosed.
 *
 * <p>Thread-safe; one per server, shared by every FHIR resource.
 */
public final class FhirRoute {

    private static final Logger log = LoggerFactory.getLogger(FhirRoute.class);

    private final Vertx vertx;
    private final FhirResponses responses;
    private final AuthResponses auth;
    private final Auditor auditor;
    private final Metrics metrics;

    public FhirRoute(
            Vertx vertx,
            FhirResponses responses,
            AuthResponses auth,
            Auditor auditor,
            Metrics metrics) {
        this.vertx = vertx;
        this.responses = responses;
        this.auth = auth;
        this.auditor = auditor;
        this.metrics = metrics;
    }

    public FhirResponses responses() {
        return responses;
    }

    /** For records committed in the transaction of the change they record. */
    public Auditor auditor() {
        return auditor;
    }

    Metrics metrics() {
        return metrics;
    }

    /** 403 with a stable code, kept for the record {@link RefusalRecorder} makes of it. */
    public void forbid(RoutingContext ctx, RefusalCode code, String message) {
        ctx.put(RefusalRecorder.REASON, code);
        auth.forbidden(ctx, code, message);
    }

    /** 403 {@code insufficient-scope}: the token does not grant {@code needed}. */
    public void insufficientScope(RoutingContext ctx, String needed) {
        ctx.put(RefusalRecorder.REASON, RefusalCode.INSUFFICIENT_SCOPE);
        auth.insufficientScope(ctx, needed);
    }

    /** Answers a refusal of {@link FhirAccess}; true when the request may go on. */
    boolean allows(RoutingContext ctx, FhirAccess.Decision decision, String scopes) {
        switch (decision) {
            case ALLOW -> {
                return true;
            }
            case OTHER_PATIENT -> {
                forbid(
                        ctx,
                        RefusalCode.PATIENT_MISMATCH,
                        "a patient token searches only its own patient's data (name it with patient=)");
                return false;
            }
            default -> {
                insufficientScope(ctx, scopes);
                return false;
            }
        }
    }

    /** The entry as the record of a refused request. */
    public static AuditEntry refused(AuditEntry entry, RefusalCode code) {
        return entry.withOutcome(AuditOutcome.MINOR_FAILURE, code.code());
    }

    /** 400 for parameters or a body this server does not accept. */
    public void invalid(RoutingContext ctx, String message) {
        responses.error(ctx, 400, IssueType.INVALID, message);
    }

    /** 404: absent, or not the caller's to know about. */
    public void notFound(RoutingContext ctx, String resourceType) {
        responses.error(ctx, 404, IssueType.NOTFOUND, resourceType + " not found");
    }

    /**
     * Runs {@code work} off the event loop, then answers with its result. For work that records
     * itself (in the transaction of the change it makes) or that nothing needs recording of.
     */
    public <T> void run(RoutingContext ctx, Callable<T> work, Consumer<T> answer) {
        run(ctx, work, result -> null, answer);
    }

    /**
     * Runs {@code work} off the event loop, commits the audit record {@code record} makes of its
     * result (null: nothing to record, e.g. a read that found nothing), then answers. When the
     * record cannot be written the caller gets a 503 and none of the result.
     */
    public <T> void run(
            RoutingContext ctx,
            Callable<T> work,
            Function<T, AuditEntry> record,
            Consumer<T> answer) {
        String route = ctx.request().method() + " " + ctx.currentRoute().getPath();
        vertx.executeBlocking(
                        () -> {
                            T result = work.call();
                            AuditEntry entry = record.apply(result);
                            if (entry != null) {
                                auditor.record(entry);
                            }
                            return result;
                        },
                        false)
                .onComplete(ar -> answer(ctx, route, ar, answer));
    }

    /** What a read that may disclose health data does with the categories consent allows it. */
    @FunctionalInterface
    public interface DisclosedRead<T> {
        /**
         * Reads what is answered; never null.
         *
         * @param categories the data categories disclosed to the caller, as {@code DataCategory}
         *     bits; never 0
         */
        T read(int categories) throws Exception;
    }

    /**
     * A read of health data whose audit record is known before it reads: {@code categories} asks
     * consent what the caller may see; when nothing, the refusal is recorded and {@code answer}
     * gets null; otherwise {@code entry} is committed while {@code read} runs, and the answer waits
     * for both, so the record is in the trail before anything is disclosed. When the read fails, a
     * record of the failure follows the one of the request; when the record cannot be written, the
     * caller gets a 503 and none of the result.
     */
    public <T> void readDisclosed(
            RoutingContext ctx,
            AuditEntry entry,
            Callable<Integer> categories,
            DisclosedRead<T> read,
            Consumer<T> answer) {
        String route = ctx.request().method() + " " + ctx.currentRoute().getPath();
        vertx.executeBlocking(
                        () -> {
                            int allowed = recordingFailure(entry, categories).call();
                            if (allowed == 0) {
                                auditor.record(refused(entry, RefusalCode.CONSENT_REQUIRED));
                                return null;
                            }
                            AuditLog.Pending record = auditor.recordAhead(entry);
                            T result = recordingFailure(entry, () -> read.read(allowed)).call();
                            auditor.committed(record);
                            return result;
                        },
                        false)
                .onComplete(ar -> answer(ctx, route, ar, answer));
    }

    private <T> void answer(
            RoutingContext ctx, String route, AsyncResult<T> ar, Consumer<T> answer) {
        if (ar.failed()) {
            fail(ctx, route, ar.cause());
            return;
        }
        // a refusal answered below is in the trail already
        ctx.put(RefusalRecorder.RECORDED, true);
        answer.accept(ar.result());
    }

    /**
     * Records {@code entry} as refused with {@code code} on a worker thread, as a best effort (the
     * answer discloses nothing), then answers with {@code answer}. An entry that names no patient
     * is not recorded: the trail is per patient.
     */
    public void refuse(
            RoutingContext ctx, AuditEntry entry, RefusalCode code, Consumer<Void> answer) {
        run(
                ctx,
                () -> {
                    if (entry.patientId() != null) {
                        auditor.recordFailure(entry, AuditOutcome.MINOR_FAILURE, code.code());
                    }
                    return null;
                },
                answer);
    }

    /**
     * {@code work}, with {@code entry} recorded as a serious failure when it fails: a search whose
     * record is known before it runs leaves its trace even when the database fails it.
     */
    public <T> Callable<T> recordingFailure(AuditEntry entry, Callable<T> work) {
        return () -> {
            try {
                return work.call();
            } catch (Exception e) {
                auditor.recordFailure(entry, AuditOutcome.SERIOUS_FAILURE, "database-unavailable");
                throw e;
            }
        };
    }

    private void fail(RoutingContext ctx, String route, Throwable cause) {
        if (cause instanceof CryptoFailure f && !f.isRetryable()) {
            // fail closed: nothing of the request is shown; the code only, never the row or a trace
            metrics.decryptionFailed(f.code());
            log.error(
                    "a stored reading could not be opened ({}); the request was refused", f.code());
            responses.error(
                    ctx,
                    500,
                    IssueType.SECURITY,
                    f.code() + ": a stored reading failed its integrity check; nothing is shown");
            return;
        }
        // the kind of failure only: a driver's message can quote the row it failed on
        log.error(
                "{} failed: {}",
                route,
                cause instanceof SQLException s
                        ? "SQLSTATE " + s.getSQLState()
                        : cause.getClass().getName());
        responses.error(ctx, 503, IssueType.TRANSIENT, "The database is unavailable; retry later");
    }
}
