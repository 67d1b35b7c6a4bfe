package org.jkn.telemetry.gateway.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import org.jkn.telemetry.gateway.ops.Metrics;
import org.jkn.telemetry.normalizer.BatchNormalizer;
import org.jkn.telemetry.normalizer.NormalizedBatch;
import org.jkn.telemetry.normalizer.NormalizedReading;
import org.jkn.telemetry.normalizer.Rejection;
import org.jkn.telemetry.store.journal.Journal;
import org.jkn.telemetry.store.journal.JournalBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/readings}: normalizes the batch, appends the accepted readings to the journal and
 * answers {@code 202} only after the append. Normalizing and appending run on a worker thread so a
 * large batch never stalls the event loop.
 *
 * <p>Answers: 202 with counts and per-reading rejections; 400 when the body is not a batch; 413
 * (from the body handler) when it is too large; 415 for another media type; 503 with Retry-After
 * when the journal holds more unstored readings than its budget.
 */
public final class ReadingsHandler implements Handler<RoutingContext> {

    private static final Logger log = LoggerFactory.getLogger(ReadingsHandler.class);

    private final Vertx vertx;
    private final BatchNormalizer normalizer;
    private final Journal journal;
    private final Metrics metrics;
    private final long maxPendingReadings;
    private final Clock clock;

    public ReadingsHandler(Vertx vertx, BatchNormalizer normalizer, Journal journal, Metrics metrics,
                           long maxPendingReadings, Clock clock) {
        this.vertx = vertx;
        this.normalizer = normalizer;
        this.journal = journal;
        this.metrics = metrics;
        this.maxPendingReadings = maxPendingReadings;
        this.clock = clock;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String contentType = ctx.request().getHeader("Content-Type");
        if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            JsonErrors.send(ctx.response(), 415, "unsupported-media-type", "send the batch as application/json");
            return;
        }
        if (journal.pendingReadings() >= maxPendingReadings) {
            metrics.refusedOverload();
            ctx.response().putHeader("Retry-After", "5");
            JsonErrors.send(ctx.response(), 503, "journal-full",
                    "the service is storing a backlog; nothing from this request was kept, retry later");
            return;
        }
        Buffer body = ctx.body().buffer();
        byte[] bytes = body == null ? new byte[0] : body.getBytes();
        vertx.executeBlocking(() -> ingest(bytes), false).onComplete(ar -> {
            if (ar.failed()) {
                log.error("ingest failed; the batch was not acknowledged", ar.cause());
                JsonErrors.send(ctx.response(), 500, "internal-error",
                        "the batch could not be journaled and was not kept; retry later");
                return;
            }
            Outcome o = ar.result();
            if (o.batch.error() != null) {
                JsonErrors.send(ctx.response(), 400, o.batch.error().code(), o.batch.errorMessage());
                return;
            }
            ctx.response().setStatusCode(202).putHeader("Content-Type", "application/json").end(response(o.batch).encode());
        });
    }

    private Outcome ingest(byte[] body) {
        Instant now = clock.instant();
        long nowMicros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
        NormalizedBatch batch = normalizer.normalize(body, nowMicros);
        if (batch.error() != null) {
            metrics.batchRefused(batch.error());
            return new Outcome(batch);
        }
        if (!batch.readings().isEmpty()) {
            journal.append(new JournalBatch(batch.patientId(), batch.device(), nowMicros, batch.readings()));
        }
        for (NormalizedReading r : batch.readings()) {
            metrics.accepted(r.type());
        }
        for (Rejection r : batch.rejections()) {
            metrics.rejected(r.reason());
        }
        return new Outcome(batch);
    }

    private static JsonObject response(NormalizedBatch batch) {
        JsonArray rejected = new JsonArray();
        for (Rejection r : batch.rejections()) {
            JsonObject j = new JsonObject().put("index", r.index());
            if (r.readingId() != null) {
                j.put("id", r.readingId());
            }
            rejected.add(j.put("reason", r.reason().code()).put("message", r.message()));
        }
        return new JsonObject()
                .put("accepted", batch.readings().size())
                .put("rejected", rejected);
    }

    private record Outcome(NormalizedBatch batch) {
    }
}
