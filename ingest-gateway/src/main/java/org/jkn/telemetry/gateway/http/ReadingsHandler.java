package org.jkn.telemetry.gateway.http;

import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import org.jkn.telemetry.gateway.auth.AuthResponses;
import org.jkn.telemetry.gateway.auth.Principal;
import org.jkn.telemetry.gateway.auth.RefusalCode;
import org.jkn.telemetry.gateway.ingest.BatchIngest;
import org.jkn.telemetry.gateway.ingest.IngestRefusal;
import org.jkn.telemetry.normalizer.BatchError;
import org.jkn.telemetry.normalizer.BatchSource;
import org.jkn.telemetry.normalizer.NormalizedBatch;
import org.jkn.telemetry.store.consent.ConsentUnavailableException;
import org.jkn.telemetry.store.crypto.CryptoFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/readings}: normalizes the batch, appends the accepted readings to the journal and
 * answers {@code 202} only after the append. Normalizing and appending run on a worker thread so a
 * large batch never stalls the event loop.
 *
 * <p>Only a patient token with {@code patient/Observation.c} may upload, and only for its own
 * patient: the batch's NIK is compared as its pseudonym with the token's {@code patient} claim by
 * the normalizer (the path an authenticated device takes too), and may be left out.
 *
 * <p>Answers: 202 with counts and per-reading rejections; 400 when the body is not a batch; 401
 * (before this handler) without a valid token; 403 {@code insufficient-scope} for a token that may
 * not upload and {@code patient-mismatch} for a batch naming another patient; 413 (from the body
 * handler) when it is too large; 415 for another media type; 503 with Retry-After when the journal
 * holds more unstored readings than its budget, or when the patient's consent cannot be read
 * ({@code consent-unavailable}).
 */
public final class ReadingsHandler implements Handler<RoutingContext> {

    private static final Logger log = LoggerFactory.getLogger(ReadingsHandler.class);

    private final Vertx vertx;
    private final BatchIngest ingest;
    private final AuthResponses auth;

    public ReadingsHandler(Vertx vertx, BatchIngest ingest, AuthResponses auth) {
        this.vertx = vertx;
        this.ingest = ingest;
        this.auth = auth;
    }

    /** Runs before the body is read: a token that may not upload costs no buffering. */
    public static void requireUploadScope(RoutingContext ctx, AuthResponses auth) {
        Principal p = Principal.of(ctx);
        if (p == null
                || p.kind() != Principal.Kind.PATIENT
                || !p.allows("patient", "Observation", 'c')) {
            auth.insufficientScope(
                    ctx, "patient/Observation.c (a patient token may upload its own readings)");
            return;
        }
        ctx.next();
    }

    @Override
    public void handle(RoutingContext ctx) {
        Principal principal = Principal.of(ctx);
        String contentType = ctx.request().getHeader("Content-Type");
        if (contentType == null
                || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            JsonErrors.send(
                    ctx.response(),
                    415,
                    "unsupported-media-type",
                    "send the batch as application/json");
            return;
        }
        IngestRefusal refusal = ingest.refusal();
        if (refusal != null) {
            ctx.response().putHeader("Retry-After", Integer.toString(refusal.retryAfterSeconds()));
            JsonErrors.send(ctx.response(), 503, refusal.code(), refusal.message());
            return;
        }
        Buffer body = ctx.body().buffer();
        byte[] bytes = body == null ? new byte[0] : body.getBytes();
        BatchSource source = BatchSource.patient(principal.patientId());
        vertx.executeBlocking(() -> ingest.ingest(bytes, source), false)
                .onComplete(ar -> answer(ctx, ar));
    }

    private void answer(RoutingContext ctx, AsyncResult<NormalizedBatch> ar) {
        if (ar.succeeded()) {
            answerBatch(ctx, ar.result());
        } else {
            answerFailure(ctx, ar.cause());
        }
    }

    private void answerBatch(RoutingContext ctx, NormalizedBatch batch) {
        if (batch.error() == BatchError.PATIENT_MISMATCH) {
            auth.forbidden(
                    ctx,
                    RefusalCode.PATIENT_MISMATCH,
                    "a patient token uploads only its own patient's readings");
            return;
        }
        if (batch.error() != null) {
            JsonErrors.send(ctx.response(), 400, batch.error().code(), batch.errorMessage());
            return;
        }
        ctx.response()
                .setStatusCode(202)
                .putHeader("Content-Type", "application/json")
                .end(BatchIngest.acceptedBody(batch).encode());
    }

    private static void answerFailure(RoutingContext ctx, Throwable cause) {
        if (cause instanceof ConsentUnavailableException) {
            ctx.response().putHeader("Retry-After", "5");
            JsonErrors.send(
                    ctx.response(),
                    503,
                    ConsentUnavailableException.CODE,
                    "the patient's consent cannot be checked now; nothing from this request was kept, retry later");
            return;
        }
        if (cause instanceof CryptoFailure f && f.isRetryable()) {
            ctx.response().putHeader("Retry-After", "5");
            JsonErrors.send(
                    ctx.response(),
                    503,
                    f.code(),
                    "the patient's data key is unavailable; nothing was kept, retry later");
            return;
        }
        log.error("ingest failed; the batch was not acknowledged", cause);
        JsonErrors.send(
                ctx.response(),
                500,
                "internal-error",
                "the batch could not be journaled and was not kept; retry later");
    }
}
