package org.jkn.telemetry.gateway.ops;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.journal.DeadLetters;
import org.jkn.telemetry.store.journal.Journal;
import org.jkn.telemetry.store.journal.JournalDrainer;

/**
 * {@code GET /health}: 200 when the database answers and the drainer is writing, 503 otherwise,
 * with one status per check, the journal lag and the dead letters waiting for an operator. {@code
 * GET /health/live} only says the process serves HTTP.
 */
public final class HealthHandler {

    private final Vertx vertx;
    private final Database database;
    private final JournalDrainer drainer;
    private final Journal journal;

    private final DeadLetters deadLetters;

    public HealthHandler(
            Vertx vertx,
            Database database,
            JournalDrainer drainer,
            Journal journal,
            DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
        this.vertx = vertx;
        this.database = database;
        this.drainer = drainer;
        this.journal = journal;
    }

    /** The dead-letter totals, or null when the database does not answer in time. */
    private long[] deadLettersOrNull() {
        if (!database.isReachable(2)) {
            return null;
        }
        try {
            return deadLetters.totals();
        } catch (java.sql.SQLException e) {
            return null;
        }
    }

    public void live(RoutingContext ctx) {
        ctx.response()
                .putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("status", "UP").encode());
    }

    public void health(RoutingContext ctx) {
        vertx.executeBlocking(this::deadLettersOrNull, false)
                .onComplete(
                        ar -> {
                            long[] letters = ar.succeeded() ? ar.result() : null;
                            boolean db = letters != null;
                            boolean writer = drainer.isHealthy();
                            boolean up = db && writer;
                            JsonObject body =
                                    new JsonObject()
                                            .put("status", up ? "UP" : "DOWN")
                                            .put(
                                                    "checks",
                                                    new JsonObject()
                                                            .put("database", db ? "UP" : "DOWN")
                                                            .put(
                                                                    "journalWriter",
                                                                    writer ? "UP" : "DOWN"))
                                            .put(
                                                    "storage",
                                                    database.mode()
                                                            .name()
                                                            .toLowerCase(java.util.Locale.ROOT))
                                            .put("journalLagReadings", journal.pendingReadings());
                            if (letters != null) {
                                // refused records wait for an operator; the service itself is up
                                body.put(
                                        "deadLetters",
                                        new JsonObject()
                                                .put("records", letters[0])
                                                .put("readings", letters[1]));
                            }
                            ctx.response()
                                    .setStatusCode(up ? 200 : 503)
                                    .putHeader("Content-Type", "application/json")
                                    .end(body.encode());
                        });
    }
}
